// Serializers between handler values and the bytes on the wire. JSON by default; raw bytes;
// nothing (void); any Standard Schema validator (zod, valibot, arktype, …) with its JSON schema
// published in the discovery manifest when the library can produce one.

export interface Serde<T> {
  /** Content type advertised in the manifest; `undefined` means "no body". */
  contentType?: string | undefined;
  /** JSON schema advertised in the manifest, when known. */
  jsonSchema?: object | undefined;
  serialize(value: T): Uint8Array;
  deserialize(data: Uint8Array): T;
}

/**
 * The Standard Schema v1 interface (standardschema.dev), structurally: zod ≥ 3.24, valibot ≥ 1,
 * arktype ≥ 2 and others implement it. `jsonSchema` is the optional Standard JSON Schema converter
 * those libraries add; when present it feeds the manifest.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
      options?: { readonly libraryOptions?: Record<string, unknown> | undefined },
    ) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly jsonSchema?: { readonly output: (options: { readonly target: string; readonly libraryOptions?: Record<string, unknown> | undefined }) => Record<string, unknown> } | undefined;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }>;
    };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

class JsonSerde<T> implements Serde<T> {
  readonly contentType = "application/json";
  constructor(readonly jsonSchema?: object) {}

  serialize(value: T): Uint8Array {
    return value === undefined ? EMPTY : encoder.encode(JSON.stringify(value));
  }

  deserialize(data: Uint8Array): T {
    return (data.length === 0 ? undefined : JSON.parse(decoder.decode(data))) as T;
  }

  /** The same JSON serde, advertising `schema` in the manifest (no validation). */
  schema<U>(schema: object): Serde<U> {
    return new JsonSerde<U>(schema);
  }
}

class BinarySerde implements Serde<Uint8Array> {
  readonly contentType = "application/octet-stream";
  serialize(value: Uint8Array): Uint8Array {
    return value;
  }
  deserialize(data: Uint8Array): Uint8Array {
    return data;
  }
}

class VoidSerde implements Serde<void> {
  readonly contentType = undefined;
  serialize(value: void): Uint8Array {
    if (value !== undefined) throw new TypeError("expected no value");
    return EMPTY;
  }
  deserialize(data: Uint8Array): void {
    if (data.length !== 0) throw new TypeError("expected an empty body");
  }
}

class StandardSchemaSerde<T> implements Serde<T> {
  contentType: string | undefined = "application/json";
  readonly jsonSchema: object | undefined;

  constructor(
    private readonly validator: StandardSchemaV1<unknown, T>,
    private readonly validateOptions?: { readonly libraryOptions?: Record<string, unknown> | undefined },
  ) {
    const standard = validator["~standard"];
    let json: object | undefined;
    try {
      json = standard.jsonSchema?.output({ target: "draft-2020-12" });
    } catch {
      json = undefined;
    }
    if (json === undefined) json = toJsonSchemaFallback(validator);
    this.jsonSchema = json;
    // A validator that accepts `undefined` describes "no input": advertise no content type.
    const probe = standard.validate(undefined);
    if (!(probe instanceof Promise) && probe.issues === undefined) this.contentType = undefined;
  }

  serialize(value: T): Uint8Array {
    return value === undefined ? EMPTY : encoder.encode(JSON.stringify(value));
  }

  deserialize(data: Uint8Array): T {
    const raw: unknown = data.length === 0 ? undefined : JSON.parse(decoder.decode(data));
    const result = this.validator["~standard"].validate(raw, this.validateOptions);
    if (result instanceof Promise) throw new TypeError("asynchronous Standard Schema validation is not supported");
    if (result.issues !== undefined) {
      const lines = result.issues.map((issue) => {
        const path = (issue.path ?? []).map((p) => String(typeof p === "object" && p !== null && "key" in p ? p.key : p));
        return path.length > 0 ? `* (at /${path.join("/")}) ${issue.message}` : `* ${issue.message}`;
      });
      throw new TypeError(`Standard schema validation failed:\n${lines.join("\n")}`);
    }
    return result.value;
  }
}

/** Zod 4 exposes `toJSONSchema` on the instance's constructor namespace; try the common shapes. */
function toJsonSchemaFallback(validator: unknown): object | undefined {
  const candidate = validator as { toJSONSchema?: () => unknown };
  if (typeof candidate.toJSONSchema === "function") {
    try {
      const out = candidate.toJSONSchema();
      if (typeof out === "object" && out !== null) return out;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const serde = {
  json: new JsonSerde<any>() as JsonSerde<any> & Serde<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  binary: new BinarySerde() as Serde<Uint8Array>,
  empty: new VoidSerde() as Serde<void>,
  /** A Standard Schema validator as serde: JSON on the wire, validated on decode. */
  schema<T>(validator: StandardSchemaV1<unknown, T>, validateOptions?: { readonly libraryOptions?: Record<string, unknown> | undefined }): Serde<T> {
    return new StandardSchemaSerde<T>(validator, validateOptions);
  },
};
