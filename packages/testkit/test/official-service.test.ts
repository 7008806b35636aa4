// Goal: a service fixture that cannot bind its port fails at once with the reason, and is not
// retried on another port when the caller chose the port; method: hold a port with a real
// listening socket, then start the greeter fixture on it.
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOfficialService } from "@cairn/testkit";

let holder: Server;
let heldPort: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const address = holder.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  heldPort = address.port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
});

describe("startOfficialService", () => {
  it("fails with EADDRINUSE when the given port is taken", async () => {
    const started = Date.now();
    await expect(startOfficialService("greeter", { port: heldPort, readyTimeoutMs: 20_000 })).rejects.toThrow(/EADDRINUSE/);
    expect(Date.now() - started).toBeLessThan(20_000); // the exit is seen, not the ready timeout
  }, 30_000);
});
