// Goal: the manifest carries every option in the version that supports it and refuses older
// versions that cannot express them; method: build manifests for v2–v4 from definitions.
import { describe, expect, it } from "vitest";
import { handlers, object, service, workflow, type Context, type ObjectContext, type WorkflowContext } from "../src/index.js";
import { buildManifest, buildServiceEntry, negotiateManifestVersion } from "../src/internal.js";

const svc = service({
  name: "Opts",
  options: { journalRetention: { days: 2 }, retryPolicy: { maxAttempts: 3, onMaxAttempts: "kill", initialInterval: 100 } },
  handlers: {
    h: handlers.handler({ ingressPrivate: true, inactivityTimeout: { seconds: 5 } }, async (_ctx: Context): Promise<void> => Promise.resolve()),
  },
});
const obj = object({
  name: "Obj",
  options: { enableLazyState: true },
  handlers: { ex: async (_ctx: ObjectContext): Promise<void> => Promise.resolve(), sh: handlers.object.shared(async (_ctx: ObjectContext): Promise<void> => Promise.resolve()) },
});
const wf = workflow({ name: "Wf", options: { workflowRetention: { hours: 1 } }, handlers: { run: async (_ctx: WorkflowContext): Promise<void> => Promise.resolve() } });
const plain = service({ name: "Plain", handlers: { p: async (_ctx: Context, s: string): Promise<string> => Promise.resolve(s) } });

describe("discovery manifest", () => {
  it("negotiates the highest manifest version in Accept", () => {
    expect(negotiateManifestVersion("application/vnd.restate.endpointmanifest.v2+json, application/vnd.restate.endpointmanifest.v3+json")).toBe(3);
    expect(() => negotiateManifestVersion("application/vnd.restate.endpointmanifest.v1+json")).toThrow(/Unsupported/);
    expect(() => negotiateManifestVersion(undefined)).toThrow(/Missing accept/);
  });

  it("publishes options, kinds and retention in v4", () => {
    const m = buildManifest([svc, obj, wf].map((d) => buildServiceEntry(d, {})), "BIDI_STREAM", 4) as { services: Array<Record<string, unknown>> };
    const [s, o, w] = m.services as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(s).toMatchObject({ name: "Opts", ty: "SERVICE", journalRetention: 172_800_000, retryPolicyMaxAttempts: 3, retryPolicyOnMaxAttempts: "KILL", retryPolicyInitialInterval: 100 });
    expect((s.handlers as unknown[])[0]).toMatchObject({ name: "h", ingressPrivate: true, inactivityTimeout: 5000 });
    expect((s.handlers as Array<Record<string, unknown>>)[0]!.ty).toBeUndefined();
    expect(o).toMatchObject({ ty: "VIRTUAL_OBJECT", enableLazyState: true });
    expect((o.handlers as Array<Record<string, unknown>>).map((h) => h.ty)).toEqual(["EXCLUSIVE", "SHARED"]);
    expect((w.handlers as Array<Record<string, unknown>>)[0]).toMatchObject({ ty: "WORKFLOW", workflowCompletionRetention: 3_600_000 });
    expect(m).toMatchObject({ protocolMode: "BIDI_STREAM", minProtocolVersion: 5, maxProtocolVersion: 7 });
  });

  it("refuses v3 when retry policies are used, and v2 when v3 options are used", () => {
    expect(() => buildManifest([buildServiceEntry(svc, {})], "BIDI_STREAM", 3)).toThrow(/manifest v4/);
    expect(() => buildManifest([buildServiceEntry(obj, {})], "BIDI_STREAM", 2)).toThrow(/v3/);
    expect(buildManifest([buildServiceEntry(plain, {})], "REQUEST_RESPONSE", 2)).toMatchObject({ protocolMode: "REQUEST_RESPONSE" });
  });
});
