// Goal: input validation and output content types follow the manifest rules of RESTATE-PROTOCOL.md §5.2 (as observed on restate-server); method: tables over compiled schemas.
import { describe, expect, it } from "vitest";
import { checkInput, compileIngressSchema, type InputPayload, type OutputPayload } from "@cairn/ingress";

function handler(input: InputPayload | undefined, output?: OutputPayload) {
  const schema = compileIngressSchema([
    { name: "S", ty: "SERVICE", public: true, handlers: [{ name: "h", public: true, input, output }] },
  ]);
  const compiled = schema.services.get("S")?.handlers.get("h");
  if (compiled === undefined) throw new Error("handler missing");
  return compiled;
}

describe("input rules", () => {
  const json = { required: false, contentType: "application/json" };
  const jsonRequired = { required: true, contentType: "application/json", jsonSchema: { type: "string" } };
  it.each([
    // [input, content-type, body bytes, passes]
    ["json: body with json", json, "application/json", 5, true],
    ["json: params ignored", json, "application/json; charset=utf-8", 5, true],
    ["json: case-insensitive", json, "Application/JSON", 5, true],
    ["json: empty body without content-type", json, undefined, 0, true],
    ["json: content-type and empty body", json, "application/json", 0, true],
    ["json: body without content-type", json, undefined, 5, false],
    ["json: text/plain", json, "text/plain", 5, false],
    ["required+schema: empty body", jsonRequired, undefined, 0, false],
    ["required+schema: content-type, empty body", jsonRequired, "application/json", 0, false],
    ["required+schema: body", jsonRequired, "application/json", 3, true],
    ["default (absent): anything typed", undefined, "image/png", 3, true],
    ["default (absent): nothing", undefined, undefined, 0, true],
    ["default (absent): untyped body", undefined, undefined, 3, false],
    ["no input ({}): nothing", {}, undefined, 0, true],
    ["no input ({}): a body", {}, "application/json", 2, false],
    ["wildcard subtype", { contentType: "text/*" }, "text/csv", 2, true],
    ["wildcard subtype mismatch", { contentType: "text/*" }, "application/csv", 2, false],
    ["list of ranges", { contentType: "application/json, application/cbor" }, "application/cbor", 2, true],
  ] as const)("%s", (_name, input, contentType, bytes, passes) => {
    const problem = checkInput(handler(input).input, contentType, bytes);
    if (passes) expect(problem).toBeUndefined();
    else expect(problem).toEqual(expect.any(String));
  });
});

describe("output content type", () => {
  it("defaults to application/json when the manifest has no output", () => {
    expect(handler(undefined).outputContentType).toBe("application/json");
  });
  it("is unset for an empty output declaration", () => {
    expect(handler(undefined, {}).outputContentType).toBeUndefined();
  });
  it("keeps setContentTypeIfEmpty", () => {
    const compiled = handler(undefined, { contentType: "text/plain", setContentTypeIfEmpty: true });
    expect(compiled.outputContentType).toBe("text/plain");
    expect(compiled.outputSetContentTypeIfEmpty).toBe(true);
  });
});

describe("health body", () => {
  it("lists the services by name, sorted", () => {
    const schema = compileIngressSchema([
      { name: "b", ty: "SERVICE", public: true, handlers: [] },
      { name: "a", ty: "VIRTUAL_OBJECT", public: true, handlers: [] },
    ]);
    expect(JSON.parse(new TextDecoder().decode(schema.healthBody))).toEqual({ services: ["a", "b"] });
  });
});
