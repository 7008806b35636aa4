// Goal: the directly written StartMessage is byte-for-byte what protobuf-es writes; method: encodeStart against toBinary(StartMessageSchema) over edge cases (empty fields, state map with empty keys/values, large counters and seeds, idempotency key by version).
import { describe, expect, it } from "vitest";
import { StartMessageSchema, StartMessage_StateEntrySchema, create, fromBinary, toBinary } from "@cairn/protocol";
import { encodeStart, type StartFields } from "@cairn/invoker";

function reference(start: StartFields, knownEntries: number, version: number): Uint8Array {
  const message = create(StartMessageSchema, {
    id: start.id,
    debugId: start.debugId,
    knownEntries,
    stateMap: start.stateMap.map(([key, value]) => create(StartMessage_StateEntrySchema, { key, value })),
    partialState: start.partialState,
    key: start.key,
    retryCountSinceLastStoredEntry: start.retryCountSinceLastStoredEntry,
    durationSinceLastStoredEntry: BigInt(Math.max(0, Math.floor(start.durationSinceLastStoredEntryMs))),
    randomSeed: start.randomSeed,
  });
  if (version >= 7 && start.idempotencyKey !== undefined) message.idempotencyKey = start.idempotencyKey;
  return toBinary(StartMessageSchema, message);
}

const id = Uint8Array.from({ length: 24 }, (_, i) => i * 7 + 1);
const base: StartFields = {
  id,
  debugId: "inv_1abcdefghijklmnopqrstuvwxyz",
  key: "",
  stateMap: [],
  partialState: true,
  retryCountSinceLastStoredEntry: 0,
  durationSinceLastStoredEntryMs: 0,
  randomSeed: 0n,
};

const cases: [string, StartFields, number, number][] = [
  ["a service's first attempt", base, 1, 6],
  ["no partial state, a key with non-ASCII text", { ...base, key: "ключ-🔑", partialState: false }, 3, 6],
  [
    "a state map with empty keys and values and a large value",
    { ...base, key: "k", partialState: false, stateMap: [[new Uint8Array(0), new Uint8Array(0)], [Buffer.from("a"), new Uint8Array(0)], [new Uint8Array(0), Buffer.from("b")], [Buffer.from("big"), new Uint8Array(70_000).fill(9)]] },
    2,
    7,
  ],
  ["large counters and a seed above 2^63", { ...base, retryCountSinceLastStoredEntry: 0xffff_ffff, durationSinceLastStoredEntryMs: 2 ** 52 + 0.7, randomSeed: 0xffff_ffff_ffff_fff1n }, 300, 5],
  ["an idempotency key on V7", { ...base, idempotencyKey: "idem-1", randomSeed: 12345678901234567n }, 1, 7],
  ["an idempotency key on V6 (not sent)", { ...base, idempotencyKey: "idem-1" }, 1, 6],
  ["an empty idempotency key on V7", { ...base, idempotencyKey: "" }, 1, 7],
];

describe("encodeStart", () => {
  it.each(cases)("%s", (_name, start, knownEntries, version) => {
    const bytes = encodeStart(start, knownEntries, version);
    expect(Buffer.from(bytes).toString("hex")).toBe(Buffer.from(reference(start, knownEntries, version)).toString("hex"));
    const decoded = fromBinary(StartMessageSchema, bytes);
    expect(decoded.knownEntries).toBe(knownEntries);
    expect(decoded.stateMap.length).toBe(start.stateMap.length);
  });
});
