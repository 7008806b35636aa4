// Goal: one attempt against the official SDK over HTTP/2 — Start + journal replay, End, V7 run
// proposals with the ack flag, the request ended after the terminal frame, a bad version as a
// typed failure with its error body; method: the invoker driving the real Greeter service from
// @cairn/testkit, once over the h2c client and once over node:http2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeaderSchema, InputCommandMessageSchema, MessageType, ValueSchema, create, formatInvocationId, newInvocationId, toBinary } from "@cairn/protocol";
import { Invoker, type AttemptRequest, type RawFrame, type Terminal } from "@cairn/invoker";
import { startOfficialService, type SdkService } from "@cairn/testkit";

let greeter: SdkService;
const invokers = { h2c: new Invoker({ http2Client: "h2c" }), node: new Invoker({ http2Client: "node" }) };

beforeAll(async () => {
  greeter = await startOfficialService("greeter");
}, 60_000);

afterAll(async () => {
  invokers.h2c.close();
  invokers.node.close();
  await greeter.close();
});

function attemptRequest(handler: string, version: number): AttemptRequest {
  const raw = newInvocationId();
  const input = toBinary(
    InputCommandMessageSchema,
    create(InputCommandMessageSchema, {
      headers: [create(HeaderSchema, { key: "content-type", value: "application/json" })],
      value: create(ValueSchema, { content: new TextEncoder().encode(JSON.stringify("Ada")) }),
    }),
  );
  return {
    deployment: { uri: greeter.url, additionalHeaders: {}, useHttp11: false },
    service: "Greeter",
    handler,
    protocolVersion: version,
    start: { id: raw, debugId: formatInvocationId(raw), key: "", stateMap: [], partialState: true, retryCountSinceLastStoredEntry: 0, durationSinceLastStoredEntryMs: 0, randomSeed: 1n },
    journal: [{ type: MessageType.InputCommand, payload: input }],
    inactivityTimeoutMs: 5_000,
    abortTimeoutMs: 5_000,
  };
}

describe.each(["h2c", "node"] as const)("Attempt over %s", (client) => {
  const invoker = invokers[client];

  it("replays the journal and ends with Output + End (V7)", async () => {
    const frames: RawFrame[] = [];
    const terminals: Terminal[] = [];
    const attempt = invoker.start(attemptRequest("greet", 7), {
      onFrames: (batch, terminal) => {
        frames.push(...batch);
        if (terminal !== undefined) terminals.push(terminal);
      },
    });
    const outcome = await attempt.done;
    expect(outcome).toEqual({ kind: "terminal", terminal: { kind: "end" } });
    expect(frames.map((f) => f.type)).toEqual([MessageType.OutputCommand]);
    expect(terminals).toEqual([{ kind: "end" }]);
    expect(attempt.writable).toBe(false);
  });

  it("receives a V7 run proposal with REQUESTED_ACK and suspends once the request is ended", async () => {
    const frames: RawFrame[] = [];
    const attempt = invoker.start(attemptRequest("greetRun", 7), {
      onFrames: (batch, terminal) => {
        frames.push(...batch);
        // Without an ack the SDK waits; ending the request makes it suspend on the run.
        if (batch.some((f) => f.type === MessageType.ProposeRunCompletion) && terminal === undefined) attempt.endRequest();
      },
    });
    const outcome = await attempt.done;
    expect(frames.map((f) => f.type)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion]);
    expect(frames[1]?.flags).toBe(0x8000);
    expect(outcome.kind === "terminal" && outcome.terminal.kind).toBe("suspension");
  });

  it("fails with a typed error when the deployment refuses the protocol version", async () => {
    const attempt = invoker.start(attemptRequest("greet", 4), { onFrames: () => undefined });
    const outcome = await attempt.done;
    expect(outcome.kind).toBe("failed");
    expect(outcome.kind === "failed" && outcome.error.code).toBe("ERR_INVOKER_HTTP_STATUS");
    // The non-2xx body is the error text.
    expect(outcome.kind === "failed" && outcome.error.message.length).toBeGreaterThan("deployment answered HTTP 415".length);
  });

  it("runs 100 attempts at once on one connection", async () => {
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => invoker.start(attemptRequest("greet", 7), { onFrames: () => undefined }).done));
    expect(outcomes.every((o) => o.kind === "terminal" && o.terminal.kind === "end")).toBe(true);
    expect(invoker.connections.http2).toBe(1);
  });

  it("fails with ERR_INVOKER_CONNECT when nothing listens", async () => {
    const request = attemptRequest("greet", 7);
    request.deployment = { ...request.deployment, uri: "http://127.0.0.1:1" };
    const outcome = await invoker.start(request, { onFrames: () => undefined }).done;
    expect(outcome.kind === "failed" && outcome.error.code).toBe("ERR_INVOKER_CONNECT");
  });
});
