// fast-check arbitraries of protocol messages, derived from the generated descriptors so every
// message type (and every field of it) is covered without a hand-written generator per type.
import { create, ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";

export interface MessageArbitraryOptions {
  /** Strings may contain lone UTF-16 surrogates (which UTF-8 cannot round-trip). */
  readonly loneSurrogates?: boolean;
  /** Nesting depth left for recursive messages (Future). */
  readonly depth?: number;
}

const U64_MAX = 2n ** 64n - 1n;

function stringArb(options: MessageArbitraryOptions): fc.Arbitrary<string> {
  if (options.loneSurrogates === true) {
    return fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
  }
  return fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 80 }));
}

function scalarArb(scalar: ScalarType, options: MessageArbitraryOptions): fc.Arbitrary<unknown> {
  switch (scalar) {
    case ScalarType.UINT32:
      return fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffff_ffff }));
    case ScalarType.UINT64:
      return fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: U64_MAX }));
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return stringArb(options);
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 40 });
    default:
      throw new Error(`no arbitrary for scalar ${ScalarType[scalar]}`);
  }
}

function fieldArb(field: DescField, options: MessageArbitraryOptions): fc.Arbitrary<unknown> {
  const depth = options.depth ?? 3;
  switch (field.fieldKind) {
    case "scalar":
      return scalarArb(field.scalar, options);
    case "enum":
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...field.enum.values.map((v) => v.number)) },
        { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
      );
    case "message":
      return messageArbitrary(field.message, { ...options, depth: depth - 1 });
    case "list":
      if (field.listKind === "message") {
        if (depth <= 0) return fc.constant([]);
        return fc.array(messageArbitrary(field.message, { ...options, depth: depth - 1 }), { maxLength: 3 });
      }
      if (field.listKind === "scalar") return fc.array(scalarArb(field.scalar, options), { maxLength: 4 });
      throw new Error(`no arbitrary for ${field.toString()}`);
    case "map":
      throw new Error(`no arbitrary for ${field.toString()}`);
  }
}

/** Random messages of `schema`, built with create() like application code builds them. */
export function messageArbitrary(schema: DescMessage, options: MessageArbitraryOptions = {}): fc.Arbitrary<object> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const member of schema.members) {
    if (member.kind === "oneof") {
      parts[member.localName] = fc.oneof(
        fc.constant({ case: undefined }),
        ...member.fields.map((f) => fieldArb(f, options).map((value) => ({ case: f.localName, value }))),
      );
    } else if (member.fieldKind === "message" && (options.depth ?? 3) <= 0) {
      parts[member.localName] = fc.constant(undefined);
    } else if (member.fieldKind === "message" || member.proto.proto3Optional) {
      parts[member.localName] = fc.option(fieldArb(member, options), { nil: undefined });
    } else {
      parts[member.localName] = fieldArb(member, options);
    }
  }
  return fc.record(parts).map((init) => {
    const defined = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
    return create(schema, defined as never);
  });
}
