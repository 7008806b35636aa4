// Goal: Standard Schema validators (zod 4, arktype 2, valibot 1) validate input and output and
// publish their JSON schema in the manifest when the library provides one; method: build the
// manifest from real definitions and drive the serdes with valid and invalid values.
import { describe, expect, it } from "vitest";
import { type } from "arktype";
import * as v from "valibot";
import { z } from "zod";
import { handlers, serde, service, type Context } from "../src/index.js";
import { buildManifest, buildServiceEntry } from "../src/internal.js";

const utf8 = new TextEncoder();
const Person = z.object({ name: z.string().min(1), age: z.number().int().nonnegative() });

const schemaService = service({
  name: "Schemas",
  handlers: {
    zod: handlers.handler({ input: serde.schema(Person), output: serde.schema(z.string()) }, async (_ctx: Context, p: z.infer<typeof Person>) =>
      Promise.resolve(`${p.name}/${p.age}`),
    ),
    ark: handlers.handler({ input: serde.schema(type({ id: "string", "tags?": "string[]" })) }, async (_ctx: Context, x: { id: string }) =>
      Promise.resolve(x.id),
    ),
    vali: handlers.handler({ input: serde.schema(v.object({ n: v.pipe(v.number(), v.minValue(10)) })) }, async (_ctx: Context, x: { n: number }) =>
      Promise.resolve(x.n),
    ),
  },
});

function manifestHandlers(): Map<string, Record<string, unknown>> {
  const m = buildManifest([buildServiceEntry(schemaService, {})], "BIDI_STREAM", 4) as { services: Array<{ handlers: Array<Record<string, unknown>> }> };
  return new Map(m.services[0]!.handlers.map((h) => [h.name as string, h]));
}

describe("Standard Schema serdes", () => {
  it("publishes zod's JSON schema for input and output", () => {
    const h = manifestHandlers().get("zod")!;
    const input = h.input as { contentType: string; jsonSchema: { type: string; properties: Record<string, { type: string }>; required: string[] } };
    expect(input.contentType).toBe("application/json");
    expect(input.jsonSchema.type).toBe("object");
    expect(input.jsonSchema.properties.name!.type).toBe("string");
    expect(input.jsonSchema.properties.age!.type).toBe("integer");
    expect(input.jsonSchema.required.sort()).toEqual(["age", "name"]);
    expect((h.output as { jsonSchema: { type: string } }).jsonSchema.type).toBe("string");
  });

  it("publishes arktype's JSON schema, and none for valibot (which ships it separately)", () => {
    const ark = manifestHandlers().get("ark")!.input as { jsonSchema?: { type: string; properties: Record<string, unknown>; required: string[] } };
    expect(ark.jsonSchema?.type).toBe("object");
    expect(Object.keys(ark.jsonSchema!.properties).sort()).toEqual(["id", "tags"]);
    expect(ark.jsonSchema!.required).toEqual(["id"]);
    const vali = manifestHandlers().get("vali")!.input as { contentType: string; jsonSchema?: unknown };
    expect(vali.contentType).toBe("application/json");
    expect(vali.jsonSchema).toBeUndefined();
  });

  it("validates on decode with every library and names the failing path", () => {
    const zod = serde.schema(Person);
    expect(zod.deserialize(utf8.encode('{"name":"Ada","age":36}'))).toEqual({ name: "Ada", age: 36 });
    expect(() => zod.deserialize(utf8.encode('{"name":"","age":-1}'))).toThrow(/at \/name[\s\S]*at \/age/);
    const ark = serde.schema(type({ id: "string" }));
    expect(() => ark.deserialize(utf8.encode('{"id":5}'))).toThrow(/at \/id/);
    const vali = serde.schema(v.object({ n: v.pipe(v.number(), v.minValue(10)) }));
    expect(vali.deserialize(utf8.encode('{"n":12}'))).toEqual({ n: 12 });
    expect(() => vali.deserialize(utf8.encode('{"n":3}'))).toThrow(/at \/n/);
  });

  it("advertises no content type when the schema accepts no input", () => {
    expect(serde.schema(z.undefined()).contentType).toBeUndefined();
    expect(serde.schema(z.string()).contentType).toBe("application/json");
  });
});
