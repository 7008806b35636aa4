// Goal: registrations change the metadata as restate-server does (201 new, 200 unchanged, 409 conflict, force overwrites in place, revisions); method: the pure planner over hand-built discovery results.
import { describe, expect, it } from "vitest";
import { ConflictError, emptyMetadata, planRegistration, type MetadataState, type RegistrationInput } from "@cairn/admin";
import type { ManifestService } from "@cairn/protocol";

const greeter: ManifestService = { name: "Greeter", ty: "SERVICE", handlers: [{ name: "greet", input: { contentType: "application/json" } }] };
const greeterV2: ManifestService = { ...greeter, handlers: [...greeter.handlers, { name: "wave" }] };
const counter: ManifestService = { name: "Counter", ty: "VIRTUAL_OBJECT", handlers: [{ name: "add" }] };

let ids = 0;
function input(uri: string, services: ManifestService[], extra: Partial<RegistrationInput> = {}): RegistrationInput {
  return {
    uri,
    useHttp11: false,
    additionalHeaders: {},
    metadata: {},
    force: false,
    breaking: false,
    apiVersion: 4,
    discovery: {
      manifest: { protocolMode: "BIDI_STREAM", minProtocolVersion: 5, maxProtocolVersion: 7, services },
      manifestVersion: 4,
      sdkVersion: "restate-sdk-typescript/1.17.2",
      httpVersion: "HTTP/2.0",
    },
    nowMs: 1_000,
    newDeploymentId: () => `dp_1test${++ids}`,
    ...extra,
  };
}

function apply(state: MetadataState, registration: RegistrationInput) {
  const plan = planRegistration(state, registration);
  return { plan, state: plan.next ?? state };
}

describe("planRegistration", () => {
  it("a new URI is a new deployment (201) at revision 1", () => {
    const { plan, state } = apply(emptyMetadata, input("http://a/", [greeter, counter]));
    expect(plan.status).toBe(201);
    expect(state.version).toBe(1);
    expect(state.deployments[plan.deploymentId]?.revisions).toEqual({ Greeter: 1, Counter: 1 });
    expect(state.services.Greeter).toEqual({ name: "Greeter", revision: 1, deploymentId: plan.deploymentId });
  });

  it("the same URI with the same services is unchanged (200, same id, no new version)", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    const again = apply(first.state, input("http://a/", [greeter]));
    expect(again.plan).toEqual({ status: 200, deploymentId: first.plan.deploymentId, next: undefined });
  });

  it("the same URI with new settings is updated in place (200, same id, new version)", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    const again = apply(first.state, input("http://a/", [greeter], { additionalHeaders: { authorization: "x" } }));
    expect(again.plan.status).toBe(200);
    expect(again.plan.deploymentId).toBe(first.plan.deploymentId);
    expect(again.state.version).toBe(2);
    expect(again.state.deployments[first.plan.deploymentId]?.additionalHeaders).toEqual({ authorization: "x" });
    expect(again.state.services.Greeter?.revision).toBe(1);
  });

  it("the same URI with other services conflicts (409) unless forced", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    expect(() => planRegistration(first.state, input("http://a/", [greeterV2]))).toThrow(ConflictError);
    expect(() => planRegistration(first.state, input("http://a/", [greeterV2]))).toThrow(/changed Greeter/);
    const forced = apply(first.state, input("http://a/", [greeterV2], { force: true }));
    expect(forced.plan.status).toBe(200);
    expect(forced.plan.deploymentId).toBe(first.plan.deploymentId);
    expect(forced.state.services.Greeter?.revision).toBe(2);
    expect(Object.keys(forced.state.deployments)).toHaveLength(1);
  });

  it("on admin API v2 force is answered 201", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    expect(planRegistration(first.state, input("http://a/", [greeter], { force: true, apiVersion: 2 })).status).toBe(201);
  });

  it("forcing without changes keeps revisions and the version", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    const forced = apply(first.state, input("http://a/", [greeter], { force: true }));
    expect(forced.plan.next).toBeUndefined();
    expect(forced.state.services.Greeter?.revision).toBe(1);
  });

  it("a forced overwrite that drops a service removes it", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter, counter]));
    const forced = apply(first.state, input("http://a/", [greeter], { force: true }));
    expect(Object.keys(forced.state.services)).toEqual(["Greeter"]);
  });

  it("a new deployment of a known service gets the next revision and takes its new invocations", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    const second = apply(first.state, input("http://b/", [greeterV2]));
    expect(second.plan.status).toBe(201);
    expect(second.state.services.Greeter).toEqual({ name: "Greeter", revision: 2, deploymentId: second.plan.deploymentId });
    expect(Object.keys(second.state.deployments)).toHaveLength(2);
    expect(second.state.deployments[first.plan.deploymentId]?.revisions).toEqual({ Greeter: 1 });
  });

  it("a service changing type is a breaking change (409) unless breaking or force", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    const asObject: ManifestService = { ...greeter, ty: "VIRTUAL_OBJECT" };
    expect(() => planRegistration(first.state, input("http://b/", [asObject]))).toThrow(/breaking/);
    expect(planRegistration(first.state, input("http://b/", [asObject], { breaking: true })).status).toBe(201);
  });

  it("a PATCHed visibility belongs to the revision: kept while unchanged, dropped by a new revision", () => {
    const first = apply(emptyMetadata, input("http://a/", [greeter]));
    const entry = first.state.services.Greeter;
    if (entry === undefined) throw new Error("Greeter missing");
    const patched: MetadataState = { ...first.state, version: 2, services: { Greeter: { ...entry, public: false } } };
    const same = apply(patched, input("http://a/", [greeter], { force: true }));
    expect(same.state.services.Greeter?.public).toBe(false);
    const changed = apply(patched, input("http://a/", [greeterV2], { force: true }));
    expect(changed.state.services.Greeter?.revision).toBe(2);
    expect(changed.state.services.Greeter?.public).toBeUndefined();
  });
});
