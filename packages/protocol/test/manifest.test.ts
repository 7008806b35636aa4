// Goal: validateManifest accepts what SDK 1.17.2 serves and rejects what §5 forbids, naming the
// bad field; method: the doc's verbatim manifest, then one mutation per rule.
import { describe, expect, it } from "vitest";
import { InvalidManifestError, isValidHandlerName, isValidServiceName, validateManifest, type ManifestVersion } from "@cairn/protocol";

// RESTATE-PROTOCOL.md §5.1, SDK 1.17.2's answer (payload objects filled in).
const io = { input: { required: false, contentType: "application/json" }, output: { setContentTypeIfEmpty: false, contentType: "application/json" } };
const sdkManifest = {
  minProtocolVersion: 5,
  maxProtocolVersion: 7,
  services: [
    { name: "Greeter", ty: "SERVICE", handlers: [{ name: "greet", ...io }] },
    { name: "Counter", ty: "VIRTUAL_OBJECT", handlers: [{ name: "add", ty: "EXCLUSIVE", ...io }, { name: "get", ty: "SHARED", ...io }] },
    { name: "Wf", ty: "WORKFLOW", handlers: [{ name: "run", ty: "WORKFLOW", ...io }, { name: "signal", ty: "SHARED", ...io }] },
  ],
  protocolMode: "BIDI_STREAM",
};

type Json = Record<string, unknown>;
const clone = (): Json => structuredClone(sdkManifest);
const service = (m: Json, i = 0): Json => (m.services as Json[])[i] as Json;
const handler = (m: Json, s = 0, h = 0): Json => (service(m, s).handlers as Json[])[h] as Json;

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidManifestError) return error.field;
    throw error;
  }
  throw new Error("expected InvalidManifestError");
}

describe("validateManifest", () => {
  it.each([2, 3, 4] as const)("accepts the SDK's manifest as v%d", (version) => {
    const m = clone();
    expect(validateManifest(m, version)).toBe(m);
  });

  it("accepts version-gated fields from their version on", () => {
    const v3 = clone();
    Object.assign(service(v3), { inactivityTimeout: 60000, abortTimeout: 600000, journalRetention: 86400000, idempotencyRetention: 1, enableLazyState: true, ingressPrivate: false });
    Object.assign(handler(v3, 2, 0), { workflowCompletionRetention: 86400000 });
    expect(() => validateManifest(v3, 3)).not.toThrow();
    const v4 = clone();
    Object.assign(v4, { lambdaCompression: "zstd" });
    Object.assign(handler(v4), { retryPolicyInitialInterval: 50, retryPolicyMaxInterval: 1000, retryPolicyMaxAttempts: 3, retryPolicyExponentiationFactor: 2, retryPolicyOnMaxAttempts: "KILL" });
    expect(() => validateManifest(v4, 4)).not.toThrow();
    expect(fieldOf(() => validateManifest(v4, 3))).toBe("lambdaCompression");
    expect(fieldOf(() => validateManifest(v3, 2))).toBe("services[0].inactivityTimeout");
    const docs = clone();
    Object.assign(service(docs), { documentation: "doc", metadata: { team: "x" } });
    expect(() => validateManifest(docs, 2)).not.toThrow();
  });

  const cases: [string, (m: Json) => void, string, ManifestVersion?][] = [
    ["missing protocolMode", (m) => delete m.protocolMode, "protocolMode"],
    ["bad protocolMode", (m) => (m.protocolMode = "STREAM"), "protocolMode"],
    ["min above max", (m) => (m.minProtocolVersion = 8), "minProtocolVersion"],
    ["min zero", (m) => (m.minProtocolVersion = 0), "minProtocolVersion"],
    ["max not an integer", (m) => (m.maxProtocolVersion = 6.5), "maxProtocolVersion"],
    ["range below 5", (m) => Object.assign(m, { minProtocolVersion: 1, maxProtocolVersion: 4 }), "maxProtocolVersion"],
    ["range above 7", (m) => Object.assign(m, { minProtocolVersion: 8, maxProtocolVersion: 9 }), "minProtocolVersion"],
    ["unknown root field", (m) => (m.extra = 1), "extra"],
    ["services not an array", (m) => (m.services = {}), "services"],
    ["missing services", (m) => delete m.services, "services"],
    ["bad service name", (m) => (service(m).name = "1Greeter"), "services[0].name"],
    ["service name with a space", (m) => (service(m).name = "Gree ter"), "services[0].name"],
    ["reserved service name", (m) => (service(m).name = "RestateThing"), "services[0].name"],
    ["openapi service name", (m) => (service(m).name = "openapi"), "services[0].name"],
    ["duplicate service", (m) => (service(m, 1).name = "Greeter"), "services[1].name"],
    ["bad service type", (m) => (service(m).ty = "ACTOR"), "services[0].ty"],
    ["missing handlers", (m) => delete service(m).handlers, "services[0].handlers"],
    ["bad handler name", (m) => (handler(m).name = "gr.eet"), "services[0].handlers[0].name"],
    ["duplicate handler", (m) => (handler(m, 1, 1).name = "add"), "services[1].handlers[1].name"],
    ["bad handler type", (m) => (handler(m, 1, 0).ty = "READ"), "services[1].handlers[0].ty"],
    ["unknown handler field", (m) => (handler(m).foo = true), "services[0].handlers[0].foo"],
    ["input not an object", (m) => (handler(m).input = "json"), "services[0].handlers[0].input"],
    ["input.required not a boolean", (m) => (handler(m).input = { required: "yes" }), "services[0].handlers[0].input.required"],
    ["unknown input field", (m) => (handler(m).input = { schema: {} }), "services[0].handlers[0].input.schema"],
    ["bad output jsonSchema", (m) => (handler(m).output = { jsonSchema: 3 }), "services[0].handlers[0].output.jsonSchema"],
    ["metadata value not a string", (m) => (service(m).metadata = { a: 1 }), "services[0].metadata.a"],
    ["negative timeout", (m) => (service(m).inactivityTimeout = -1), "services[0].inactivityTimeout", 3],
    ["workflow retention on a shared handler", (m) => (handler(m, 2, 1).workflowCompletionRetention = 1), "services[2].handlers[1].workflowCompletionRetention", 3],
    ["idempotency retention on a workflow handler", (m) => (handler(m, 2, 0).idempotencyRetention = 1), "services[2].handlers[0].idempotencyRetention", 3],
    ["bad onMaxAttempts", (m) => (handler(m).retryPolicyOnMaxAttempts = "STOP"), "services[0].handlers[0].retryPolicyOnMaxAttempts", 4],
    ["zero exponentiation factor", (m) => (service(m).retryPolicyExponentiationFactor = 0), "services[0].retryPolicyExponentiationFactor", 4],
    ["bad lambdaCompression", (m) => (m.lambdaCompression = "gzip"), "lambdaCompression", 4],
  ];

  it.each(cases)("rejects %s", (_name, mutate, field, version = 4) => {
    const m = clone();
    mutate(m);
    expect(fieldOf(() => validateManifest(m, version))).toBe(field);
  });

  it("rejects non-objects", () => {
    expect(fieldOf(() => validateManifest(null, 4))).toBe("(root)");
    expect(fieldOf(() => validateManifest([], 4))).toBe("(root)");
  });

  it("can skip the protocolMode requirement and use another version range", () => {
    const m = clone();
    delete m.protocolMode;
    expect(() => validateManifest(m, 4, { requireProtocolMode: false })).not.toThrow();
    expect(fieldOf(() => validateManifest(clone(), 4, { supportedProtocolVersions: { min: 8, max: 9 } }))).toBe("maxProtocolVersion");
  });
});

describe("names", () => {
  it.each(["Greeter", "_a", "a.b-c_d", "x9"])("accepts service %s", (name) => expect(isValidServiceName(name)).toBe(true));
  it.each(["", "9a", "_", "_-", "restate", "RESTATEx", "OpenAPI", "a b", "ü"])("rejects service %s", (name) =>
    expect(isValidServiceName(name)).toBe(false),
  );
  it.each(["greet", "_1", "a_b9"])("accepts handler %s", (name) => expect(isValidHandlerName(name)).toBe(true));
  it.each(["", "a.b", "a-b", "_", "1a"])("rejects handler %s", (name) => expect(isValidHandlerName(name)).toBe(false));
});
