// Throughput of the hot-path codecs on typical frames: a Start with a 10-entry journal, a V7 run
// proposal, an Output. Fixtures are fixed (no randomness). Bytes per operation are in each task
// name, so MB/s = ops/s × bytes / 1e6. Baselines use @bufbuild/protobuf's toBinary + a framing copy.
import { fromBinary, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { bench, describe } from "vitest";
import {
  CallCommandMessageSchema,
  CallCompletionNotificationMessageSchema,
  CallInvocationIdCompletionNotificationMessageSchema,
  create,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  encodeMessageFrame,
  FrameDecoder,
  formatInvocationId,
  GetEagerStateCommandMessageSchema,
  HeaderSchema,
  InputCommandMessageSchema,
  messageSchemaOf,
  messageTypeOf,
  OutputCommandMessageSchema,
  ProposeRunCompletionMessageSchema,
  RunCommandMessageSchema,
  RunCompletionNotificationMessageSchema,
  SetStateCommandMessageSchema,
  SleepCommandMessageSchema,
  SleepCompletionNotificationMessageSchema,
  StartMessageSchema,
  ValueSchema,
  VoidSchema,
  type ProtocolMessage,
} from "@cairn/protocol";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const value = (v: unknown) => create(ValueSchema, { content: json(v) });
const rawId = Uint8Array.from({ length: 24 }, (_, i) => (i * 37) & 0xff);
const order = { orderId: "ord-2931", customer: "c-77", items: [{ sku: "A-1", qty: 2 }, { sku: "B-9", qty: 1 }], total: 74.5 };

const start = create(StartMessageSchema, {
  id: rawId,
  debugId: formatInvocationId(rawId),
  knownEntries: 10,
  partialState: true,
  key: "customer-77",
  randomSeed: 0x1234_5678_9abc_def0n,
  durationSinceLastStoredEntry: 1500n,
});
const journal: ProtocolMessage[] = [
  create(InputCommandMessageSchema, {
    headers: [create(HeaderSchema, { key: "x-request-id", value: "6f1c2b" }), create(HeaderSchema, { key: "content-type", value: "application/json" })],
    value: value(order),
  }),
  create(GetEagerStateCommandMessageSchema, { key: utf8("cart"), result: { case: "value", value: value(order.items) }, name: "" }),
  create(RunCommandMessageSchema, { resultCompletionId: 1, name: "reserve-stock" }),
  create(RunCompletionNotificationMessageSchema, { completionId: 1, result: { case: "value", value: value({ reserved: true, at: 1767225600000 }) } }),
  create(CallCommandMessageSchema, {
    serviceName: "Payments",
    handlerName: "charge",
    parameter: json({ customer: "c-77", amount: 74.5, currency: "EUR" }),
    invocationIdNotificationIdx: 2,
    resultCompletionId: 3,
  }),
  create(CallInvocationIdCompletionNotificationMessageSchema, { completionId: 2, invocationId: formatInvocationId(rawId) }),
  create(CallCompletionNotificationMessageSchema, { completionId: 3, result: { case: "value", value: value({ paymentId: "pay_88121", status: "ok" }) } }),
  create(SetStateCommandMessageSchema, { key: utf8("status"), value: value("paid") }),
  create(SleepCommandMessageSchema, { wakeUpTime: 1_767_225_660_000n, resultCompletionId: 4, name: "cool-down" }),
  create(SleepCompletionNotificationMessageSchema, { completionId: 4, void: create(VoidSchema) }),
];
const proposal = create(ProposeRunCompletionMessageSchema, { resultCompletionId: 5, result: { case: "value", value: json({ shipped: true, carrier: "DHL", tracking: "JD0146000033" }) } });
const output = create(OutputCommandMessageSchema, { result: { case: "value", value: value({ ok: true, orderId: "ord-2931" }) } });

// Pre-encoded forms: the stored journal (payloads) and the full replay stream.
const storedJournal = journal.map((m) => ({ type: typeOf(m), payload: encodeMessage(m) }));
const replayStream = Buffer.concat([encodeMessageFrame(start), ...journal.map((m) => encodeMessageFrame(m))]);
const proposalFrame = encodeMessageFrame(proposal, { requestAck: true });
const outputFrame = encodeMessageFrame(output);
// The replay stream as it arrives over HTTP/2: 16 KiB DATA frames at most, here cut in 3 pieces.
const replayChunks = [replayStream.subarray(0, 200), replayStream.subarray(200, 420), replayStream.subarray(420)];

function typeOf(m: ProtocolMessage): number {
  return messageTypeOf(m.$typeName) as number;
}

/** Baseline: protobuf-es toBinary, then a second buffer for header + payload. */
function toBinaryFrame(m: ProtocolMessage): Uint8Array {
  const type = typeOf(m);
  return encodeFrame(type, toBinary(messageSchemaOf(type) as DescMessage, m as never));
}

let sink = 0;

describe(`Start + 10-entry journal (${replayStream.length} B per op)`, () => {
  bench("encode: encodeMessageFrame × 11", () => {
    sink += encodeMessageFrame(start).length;
    for (const m of journal) sink += encodeMessageFrame(m).length;
  });
  bench("encode baseline: toBinary + frame copy × 11", () => {
    sink += toBinaryFrame(start).length;
    for (const m of journal) sink += toBinaryFrame(m).length;
  });
  bench("replay: Start + encodeFrame(stored payload) × 10", () => {
    sink += encodeMessageFrame(start).length;
    for (const e of storedJournal) sink += encodeFrame(e.type, e.payload).length;
  });
  bench("decode: FrameDecoder (3 chunks) + decodeMessage × 11", () => {
    const decoder = new FrameDecoder();
    for (const chunk of replayChunks) for (const frame of decoder.push(chunk)) sink += decodeMessage(frame).type;
    decoder.end();
  });
  bench("decode baseline: FrameDecoder (3 chunks) + fromBinary × 11", () => {
    const decoder = new FrameDecoder();
    for (const chunk of replayChunks) {
      for (const frame of decoder.push(chunk)) sink += fromBinary(messageSchemaOf(frame.type) as DescMessage, frame.payload).$typeName.length;
    }
    decoder.end();
  });
  bench("decode: FrameDecoder only (3 chunks)", () => {
    const decoder = new FrameDecoder();
    for (const chunk of replayChunks) sink += decoder.push(chunk).length;
    decoder.end();
  });
});

describe(`Run proposal, V7 with ack (${proposalFrame.length} B per op)`, () => {
  bench("encode: encodeMessageFrame", () => {
    sink += encodeMessageFrame(proposal, { requestAck: true }).length;
  });
  bench("encode baseline: toBinary + frame copy", () => {
    sink += toBinaryFrame(proposal).length;
  });
  bench("decode: FrameDecoder + decodeMessage", () => {
    for (const frame of new FrameDecoder().push(proposalFrame)) sink += decodeMessage(frame).type;
  });
});

describe(`Output (${outputFrame.length} B per op)`, () => {
  bench("encode: encodeMessageFrame", () => {
    sink += encodeMessageFrame(output).length;
  });
  bench("encode baseline: toBinary + frame copy", () => {
    sink += toBinaryFrame(output).length;
  });
  bench("decode: FrameDecoder + decodeMessage", () => {
    for (const frame of new FrameDecoder().push(outputFrame)) sink += decodeMessage(frame).type;
  });
  bench("decode baseline: fromBinary of the payload", () => {
    sink += fromBinary(OutputCommandMessageSchema, outputFrame.subarray(8)).name.length;
  });
});

export { sink };
