// Goal: the ingress refuses request bodies over 32 MiB with 413 and nothing is invoked, while a
// large body under the limit goes through, as on restate-server; method: bodies of both sizes
// sent to the control fixture's CtlSink, which answers the size it received.
import { request } from "node:http";
import { expect, it } from "vitest";
import { describeTargets, useServices } from "./support/suite.js";

const services = useServices({ fixture: "control-services" });

const mib = 1024 * 1024;

/** A JSON string literal of exactly `bytes` bytes. */
function jsonOf(bytes: number): string {
  return `"${"x".repeat(bytes - 2)}"`;
}

/**
 * POSTs `body` and resolves with the status, even when the server answers before it has read
 * the whole body and closes the connection (fetch reports that as a network error).
 */
function postStatus(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } });
    req.setTimeout(30_000, () => req.destroy(new Error("timed out")));
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
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
