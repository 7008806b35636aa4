// Goal: the protocol state machine replays, checks, suspends and cancels exactly as the protocol
// says; method: feed recorded journals built with @cairn/protocol's codec (an independent
// encoder) and decode what the SDK writes with the same package.
import { describe, expect, it } from "vitest";
import {
  CallCommandMessageSchema,
  CallInvocationIdCompletionNotificationMessageSchema,
  CommandAckMessageSchema,
  create,
  decodeMessage,
  encodeMessageFrame,
  FrameDecoder,
  InputCommandMessageSchema,
  MessageType,
  ProposeRunCompletionAckMessageSchema,
  RunCommandMessageSchema,
  RunCompletionNotificationMessageSchema,
  SignalNotificationMessageSchema,
  SleepCommandMessageSchema,
  SleepCompletionNotificationMessageSchema,
  StartMessageSchema,
  type DecodedMessage,
  type ProtocolMessage,
} from "@cairn/protocol";
// Internals and the API come from src together: one copy of the promise classes.
import { RestatePromise, service, type Context } from "../src/index.js";
import { buildServiceEntry, startAttempt } from "../src/internal.js";

const executed: string[] = [];

const svc = service({
  name: "Svc",
  handlers: {
    greet: async (_ctx: Context, name: string): Promise<string> => Promise.resolve(`Hello ${name}`),
    twoRuns: async (ctx: Context): Promise<string> => {
      const a = await ctx.run("one", () => {
        executed.push("one");
        return "A";
      });
      const b = await ctx.run("two", () => {
        executed.push("two");
        return "B";
      });
      return a + b;
    },
    sleeper: async (ctx: Context): Promise<string> => {
      await ctx.sleep(1000);
      return "done";
    },
    caller: async (ctx: Context): Promise<string> => ctx.serviceClient(svc).greet("child"),
    racer: async (ctx: Context): Promise<string> =>
      RestatePromise.race([ctx.sleep(10).map(() => "first"), ctx.sleep(20).map(() => "second")]),
  },
});
const entry = buildServiceEntry(svc, {});

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const ID = new Uint8Array(24).map((_, i) => i);

function start(knownEntries: number): Uint8Array {
  return encodeMessageFrame(create(StartMessageSchema, { id: ID, debugId: "inv_1test", knownEntries, partialState: true, randomSeed: 7n }));
}

function input(value: unknown): Uint8Array {
  return encodeMessageFrame(create(InputCommandMessageSchema, { value: { content: json(value) } }));
}

function frame(m: ProtocolMessage): Uint8Array {
  return encodeMessageFrame(m);
}

interface Run {
  out: DecodedMessage[];
  closed: Promise<void>;
  push(b: Uint8Array): void;
  end(): void;
}

function run(handler: string, version: number): Run {
  const h = entry.handlers.get(handler)!;
  const decoder = new FrameDecoder();
  const out: DecodedMessage[] = [];
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const attempt = startAttempt(entry, h, version, () => new Map(), {
    write: (bytes) => {
      for (const f of decoder.push(bytes)) out.push(decodeMessage(f));
    },
    closed: () => resolveClosed(),
  }, () => undefined);
  return { out, closed, push: (b) => attempt.push(b), end: () => attempt.endInput() };
}

const types = (out: DecodedMessage[]): number[] => out.map((m) => m.type);

describe("state machine", () => {
  it("runs a fresh invocation to Output and End", async () => {
    const r = run("greet", 6);
    r.push(start(1));
    r.push(input("bob"));
    await r.closed;
    expect(types(r.out)).toEqual([MessageType.OutputCommand, MessageType.End]);
    const output = r.out[0]!.message as { result: { case: string; value: { content: Uint8Array } } };
    expect(new TextDecoder().decode(output.result.value.content)).toBe('"Hello bob"');
  });

  it("replays a recorded run without executing it, then proposes the next one (V7 ack)", async () => {
    executed.length = 0;
    const r = run("twoRuns", 7);
    r.push(start(3));
    r.push(input(null));
    r.push(frame(create(RunCommandMessageSchema, { resultCompletionId: 1, name: "one" })));
    r.push(frame(create(RunCompletionNotificationMessageSchema, { completionId: 1, result: { case: "value", value: { content: json("A") } } })));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(executed).toEqual(["two"]);
    expect(types(r.out)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion]);
    r.push(frame(create(ProposeRunCompletionAckMessageSchema, { completionId: 2 })));
    await r.closed;
    expect(types(r.out).slice(2)).toEqual([MessageType.OutputCommand, MessageType.End]);
  });

  it("ends with 570 naming the command when the journal and the code disagree", async () => {
    const r = run("twoRuns", 6);
    r.push(start(2));
    r.push(input(null));
    r.push(frame(create(SleepCommandMessageSchema, { resultCompletionId: 1, wakeUpTime: 1n, name: "nap" })));
    await r.closed;
    expect(types(r.out)).toEqual([MessageType.Error]);
    const err = r.out[0]!.message as { code: number; message: string; relatedCommandIndex?: number; relatedCommandName?: string };
    expect(err.code).toBe(570);
    expect(err.relatedCommandIndex).toBe(1);
    expect(err.relatedCommandName).toBe("one");
    expect(err.message).toContain("Sleep");
    expect(err.message).toContain("Run");
  });

  it("suspends on the awaited sleep plus the cancel signal (V7 future tree)", async () => {
    const r = run("sleeper", 7);
    r.push(start(1));
    r.push(input(null));
    r.end();
    await r.closed;
    expect(types(r.out)).toEqual([MessageType.SleepCommand, MessageType.Suspension]);
    const s = r.out[1]!.message as { awaitingOn?: { waitingCompletions: number[]; waitingSignals: number[]; combinatorType: number } };
    expect(s.awaitingOn?.waitingCompletions).toEqual([1]);
    expect(s.awaitingOn?.waitingSignals).toEqual([1]);
    expect(s.awaitingOn?.combinatorType).toBe(1);
  });

  it("suspends with flat lists in V5/V6", async () => {
    const r = run("sleeper", 6);
    r.push(start(1));
    r.push(input(null));
    r.end();
    await r.closed;
    const s = r.out[1]!.message as { waitingCompletions: number[]; waitingSignals: number[] };
    expect(s.waitingCompletions).toEqual([1]);
    expect(s.waitingSignals).toEqual([1]);
  });

  it("in request/response mode proposes a run and suspends on it", async () => {
    executed.length = 0;
    const r = run("twoRuns", 6);
    r.push(start(1));
    r.push(input(null));
    r.end();
    await r.closed;
    expect(types(r.out)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.Suspension]);
    const s = r.out[2]!.message as { waitingCompletions: number[] };
    expect(s.waitingCompletions).toEqual([1]);
  });

  it("on cancel, signals every child call and fails with 409 Cancelled", async () => {
    const r = run("caller", 6);
    r.push(start(4));
    r.push(input(null));
    r.push(frame(create(CallCommandMessageSchema, { serviceName: "Svc", handlerName: "greet", parameter: json("child"), invocationIdNotificationIdx: 1, resultCompletionId: 2 })));
    r.push(frame(create(CallInvocationIdCompletionNotificationMessageSchema, { completionId: 1, invocationId: "inv_1child" })));
    r.push(frame(create(SignalNotificationMessageSchema, { signalId: { case: "idx", value: 1 }, result: { case: "void", value: {} } })));
    await r.closed;
    expect(types(r.out)).toEqual([MessageType.SendSignalCommand, MessageType.OutputCommand, MessageType.End]);
    const signal = r.out[0]!.message as { targetInvocationId: string; signalId: { case: string; value: number } };
    expect(signal.targetInvocationId).toBe("inv_1child");
    expect(signal.signalId).toEqual({ case: "idx", value: 1 });
    const output = r.out[1]!.message as { result: { case: string; value: { code: number; message: string } } };
    expect(output.result.case).toBe("failure");
    expect(output.result.value.code).toBe(409);
    expect(output.result.value.message).toBe("Cancelled");
  });

  it("decides races by journal order on replay", async () => {
    const r = run("racer", 6);
    r.push(start(5));
    r.push(input(null));
    r.push(frame(create(SleepCommandMessageSchema, { resultCompletionId: 1, wakeUpTime: 1n })));
    r.push(frame(create(SleepCommandMessageSchema, { resultCompletionId: 2, wakeUpTime: 1n })));
    // The second sleep's notification was recorded first: it won the race in the first run.
    r.push(frame(create(SleepCompletionNotificationMessageSchema, { completionId: 2, void: {} })));
    r.push(frame(create(SleepCompletionNotificationMessageSchema, { completionId: 1, void: {} })));
    await r.closed;
    expect(types(r.out)).toEqual([MessageType.OutputCommand, MessageType.End]);
    const output = r.out[0]!.message as { result: { case: string; value: { content: Uint8Array } } };
    expect(new TextDecoder().decode(output.result.value.content)).toBe('"second"');
  });

  it("rejects a CommandAck (0x0004) with a protocol violation 571", async () => {
    const r = run("sleeper", 7);
    r.push(start(1));
    r.push(input(null));
    r.push(frame(create(CommandAckMessageSchema, { commandIndex: 0 })));
    await r.closed;
    const last = r.out[r.out.length - 1]!;
    expect(last.type).toBe(MessageType.Error);
    expect((last.message as { code: number }).code).toBe(571);
  });

  it("fails with 571 when input closes before the journal arrived", async () => {
    const r = run("greet", 6);
    r.push(start(2));
    r.push(input("x"));
    r.end();
    await r.closed;
    expect((r.out[0]!.message as { code: number; message: string }).code).toBe(571);
  });
});
