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
