// Serdes the client uses: the same shape as @cairn/sdk's (and the official SDK's) `Serde`, so a
// serde from either can be passed in.

export interface Serde<T> {
  contentType?: string | undefined;
  serialize(value: T): Uint8Array;
  deserialize(data: Uint8Array): T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const jsonSerde: Serde<unknown> = {
  contentType: "application/json",
  serialize: (value) => (value === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(value))),
  deserialize: (data) => (data.length === 0 ? undefined : (JSON.parse(decoder.decode(data)) as unknown)),
};

export const binarySerde: Serde<Uint8Array> = {
  contentType: "application/octet-stream",
  serialize: (value) => value,
  deserialize: (data) => data,
};

export const serde = { json: jsonSerde, binary: binarySerde };
