// Goal: the ingress refuses request bodies over 32 MiB with 413 and nothing is invoked, while a
// large body under the limit goes through, as on restate-server; method: bodies of both sizes
// sent to the control fixture's CtlSink, which answers the size it received.
import { connect } from "node:net";
import { expect, it } from "vitest";
import { describeTargets, useServices } from "./support/suite.js";

const services = useServices({ fixture: "control-services" });

const mib = 1024 * 1024;

/** A JSON string literal of exactly `bytes` bytes. */
function jsonOf(bytes: number): string {
  return `"${"x".repeat(bytes - 2)}"`;
}

/**
 * POSTs `body` over a raw socket and resolves with the response status, even when the server
 * answers before it has read the whole body and closes the connection (fetch and node:http report
 * that as a network error, EPIPE or ECONNRESET, depending on timing).
 */
function postStatus(url: string, body: string): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = connect(Number(port), hostname);
    const timer = setTimeout(() => socket.destroy(new Error("timed out")), 30_000);
    const done = (status: number): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match !== null) done(Number(match[1]));
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      if (!/^HTTP\/1\.1 \d{3}/.test(received)) reject(error);
    });
    socket.on("connect", () => {
      socket.write(`POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
      // Both servers judge the declared content-length first; give the answer time to arrive
      // before the body, whose writes would otherwise race the server's close (RST drops it).
      setTimeout(() => {
        if (!socket.destroyed) socket.end(body);
      }, 500);
    });
  });
}

describeTargets("limits", services, (h) => {
  it("answers 413 to a request body over 32 MiB", async () => {
    const status = await postStatus(`${h.endpoints().ingressUrl}/CtlSink/size`, jsonOf(32 * mib + 1024));
    expect(status).toBe(413);
  });

  it("accepts a 4 MiB body and hands it to the handler whole", async () => {
    const size = 4 * mib;
    const reply = await h.request("/CtlSink/size", undefined, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: jsonOf(size),
    });
    expect(reply.status, reply.text.slice(0, 500)).toBe(200);
    expect(reply.json()).toBe(size);
  });
});
