// Serves official-SDK service definitions for a test: HTTP/2 (bidirectional streaming) by default,
// HTTP/1.1 request/response when CAIRN_SERVICE_HTTP1=1. Prints `READY <port>` once listening.
import * as http from "node:http";
import * as restate from "@restatedev/restate-sdk";

type Definition = Parameters<ReturnType<typeof restate.endpoint>["bind"]>[0];

export async function serve(...definitions: Definition[]): Promise<void> {
  const port = Number(process.env.CAIRN_SERVICE_PORT ?? "9080");
  let endpoint = restate.endpoint();
  for (const definition of definitions) endpoint = endpoint.bind(definition);
  if (process.env.CAIRN_SERVICE_HTTP1 === "1") {
    const server = http.createServer(endpoint.http1Handler());
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  } else {
    await endpoint.listen(port);
  }
  process.stdout.write(`READY ${port}\n`);
}
