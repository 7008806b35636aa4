// Goal: Greeter.greet and Greeter.greetRun complete end to end through the worker entry under
// protocol V5, V6 and V7; method: in-process worker task handler, real log + SQLite in a temp dir,
// the official SDK's Greeter service from @cairn/testkit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { idOnPartition, openWorker, request, schemaFor, tempDir, valueOf } from "./harness.js";

let greeter: SdkService;

beforeAll(async () => {
  greeter = await startOfficialService("greeter");
}, 60_000);

afterAll(async () => {
  await greeter.close();
});

describe.each([5, 6, 7])("Greeter under protocol V%i", (version) => {
  it("greets and runs one ctx.run step", async () => {
    const tmp = tempDir();
    const schema = schemaFor(greeter.url, [{ name: "Greeter", ty: "SERVICE", handlers: [{ name: "greet" }, { name: "greetRun" }] }], {
      maxProtocolVersion: version,
    });
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      const greet = await worker.invoke(0, request("Greeter", "greet", "Ada", { invocationId: idOnPartition(0, 1) }));
      expect(valueOf(greet)).toBe("Hello, Ada!");
      const run = await worker.invoke(0, request("Greeter", "greetRun", "Bob", { invocationId: idOnPartition(0, 1) }));
      expect(valueOf(run)).toBe("Hello, Bob!");
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("Greeter over HTTP/1.1 request/response", () => {
  it("resumes after each suspension until the handler ends", async () => {
    const http1 = await startOfficialService("greeter", { http1: true });
    const tmp = tempDir();
    const schema = schemaFor(http1.url, [{ name: "Greeter", ty: "SERVICE", handlers: [{ name: "greet" }, { name: "greetRun" }] }]);
    const deployment = Object.values(schema.deployments)[0];
    if (deployment !== undefined) deployment.useHttp11 = true;
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      // greetRun: the SDK proposes the run and suspends in the same response; the partition
      // stores the RunCompletion first, sees the suspension already resolved, and resumes.
      const run = await worker.invoke(0, request("Greeter", "greetRun", "Cy", { invocationId: idOnPartition(0, 1) }));
      expect(valueOf(run)).toBe("Hello, Cy!");
    } finally {
      await worker.close();
      await http1.close();
      tmp.remove();
    }
  });
});
