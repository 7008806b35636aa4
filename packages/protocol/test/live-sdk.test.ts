// Goal: @cairn/protocol interoperates with the real official SDK (@restatedev/restate-sdk 1.17.2):
// discovery with manifest v2/v3/v4 and invocations under protocol V5, V6 and V7, including the
// V7 run-completion acknowledgement (§4.4); method: the official Greeter service on Node 24
// (@cairn/testkit), driven over h2c by a harness built from this package's codecs and node:http2.
import type * as http2 from "node:http2";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  create,
  encodeMessage,
  encodeMessageFrame,
  encodeFrame,
  flattenFuture,
  suspensionFuture,
  formatInvocationContentType,
  formatInvocationId,
  formatManifestAccept,
  InputCommandMessageSchema,
  isAckRequested,
  MessageType,
  negotiateManifestVersion,
  newInvocationId,
  parseManifestContentType,
  ProposeRunCompletionAckMessageSchema,
  RunCommandMessageSchema,
  RunCompletionNotificationMessageSchema,
  ServiceProtocolHeader,
  runCompletionOf,
  StartMessageSchema,
  validateManifest,
  ValueSchema,
  type InvocationProtocolVersion,
  type ManifestVersion,
} from "@cairn/protocol";
import { connect, request, runAttempt, type Attempt } from "./support/sdk-harness.js";

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

let service: SdkService;
let session: http2.ClientHttp2Session;

beforeAll(async () => {
  service = await startOfficialService("greeter");
  session = await connect(service.url);
}, 60_000);

afterAll(async () => {
  session?.close();
  await service?.close();
});

function startFrames(version: InvocationProtocolVersion, journal: readonly Uint8Array[], knownEntries: number): Uint8Array[] {
  const id = newInvocationId();
  const start = create(StartMessageSchema, {
    id,
    debugId: formatInvocationId(id),
    knownEntries,
    partialState: true,
    // V5 ignores the seed; V6+ use it.
    randomSeed: version >= 6 ? 12345n : 0n,
  });
  return [encodeMessageFrame(start), ...journal];
}

function inputFrame(name: string): Uint8Array {
  return encodeMessageFrame(create(InputCommandMessageSchema, { value: create(ValueSchema, { content: json(name) }) }));
}

/** The SDK frames that matter (AwaitingOn hints are advisory and may repeat, §10.18). */
function significant(attempt: Attempt): number[] {
  return attempt.received.map((r) => r.frame.type).filter((t) => t !== MessageType.AwaitingOn);
}

/** Our encoder writes exactly the bytes the SDK wrote, for every frame it sent (replays depend on it). */
function expectSameBytesAsSdk(attempt: Attempt): void {
  for (const { frame, decoded } of attempt.received) {
    expect(Buffer.from(encodeMessage(decoded.message)).toString("hex"), `type 0x${frame.type.toString(16)}`).toBe(
      Buffer.from(frame.payload).toString("hex"),
    );
  }
}

function outputOf(attempt: Attempt): string {
  const output = attempt.received.find((r) => r.decoded.type === MessageType.OutputCommand)?.decoded;
  if (output?.type !== MessageType.OutputCommand || output.message.result.case !== "value") {
    throw new Error(`no output value; got ${JSON.stringify(significant(attempt))}`);
  }
  return text(output.message.result.value.content);
}

describe("discovery against the official SDK", () => {
  it.each([2, 3, 4] as const)("negotiates manifest v%d", async (version: ManifestVersion) => {
    const answer = await request(session, { ":method": "GET", ":path": "/discover", accept: formatManifestAccept([version]) });
    expect(answer.status).toBe(200);
    expect(parseManifestContentType(answer.headers["content-type"])).toBe(version);
    const manifest = validateManifest(JSON.parse(answer.body.toString("utf8")), version);
    expect(manifest.protocolMode).toBe("BIDI_STREAM");
    expect([manifest.minProtocolVersion, manifest.maxProtocolVersion]).toEqual([5, 7]);
    const greeter = manifest.services.find((s) => s.name === "Greeter");
    expect(greeter?.ty).toBe("SERVICE");
    expect(greeter?.handlers.map((h) => h.name).sort()).toEqual(["greet", "greetRun"]);
  });

  it("picks the same version from Restate's full Accept header as negotiateManifestVersion", async () => {
    const accept = `application/vnd.restate.endpointmanifest.v1+json, ${formatManifestAccept()}`;
    const answer = await request(session, { ":method": "GET", ":path": "/discover", accept });
    expect(parseManifestContentType(answer.headers["content-type"])).toBe(negotiateManifestVersion(accept));
  });

  it("is refused for manifest v1 only", async () => {
    const answer = await request(session, { ":method": "GET", ":path": "/discover", accept: "application/vnd.restate.endpointmanifest.v1+json" });
    expect(answer.status).toBe(415);
  });
});

describe.each([5, 6, 7] as const)("invocation under protocol V%d", (version) => {
  it("runs greet: Output then End", async () => {
    const attempt = await runAttempt(session, {
      version,
      path: "/invoke/Greeter/greet",
      initial: startFrames(version, [inputFrame("bob")], 1),
    });
    expect(attempt.status).toBe(200);
    expect(attempt.headers["content-type"]).toBe(formatInvocationContentType(version));
    expect(attempt.headers[ServiceProtocolHeader.server]).toBe("restate-sdk-typescript/1.17.2");
    expect(significant(attempt)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(outputOf(attempt)).toBe('"Hello, bob!"');
    expectSameBytesAsSdk(attempt);
  });

  it("runs greetRun: Run, proposal, our answer, Output, End", async () => {
    const attempt = await runAttempt(session, {
      version,
      path: "/invoke/Greeter/greetRun",
      initial: startFrames(version, [inputFrame("ann")], 1),
      onFrame: ({ frame, decoded }) => {
        if (decoded.type !== MessageType.ProposeRunCompletion) return [];
        // §4.4: V7 asks for an ack (A flag) and gets ProposeRunCompletionAck; V5/V6 get the notification.
        if (isAckRequested(frame)) {
          return [encodeMessageFrame(create(ProposeRunCompletionAckMessageSchema, { completionId: decoded.message.resultCompletionId }))];
        }
        const notification = runCompletionOf(decoded.message);
        return notification === undefined ? [] : [encodeMessageFrame(notification)];
      },
    });
    expect(attempt.status).toBe(200);
    expect(significant(attempt)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.OutputCommand, MessageType.End]);

    const run = attempt.received[0]?.decoded;
    expect(run?.type === MessageType.RunCommand && run.message).toMatchObject({ name: "compose", resultCompletionId: 1 });
    const proposal = attempt.received.find((r) => r.decoded.type === MessageType.ProposeRunCompletion);
    expect(proposal && isAckRequested(proposal.frame)).toBe(version === 7);
    const proposed = proposal?.decoded.type === MessageType.ProposeRunCompletion ? proposal.decoded.message.result : undefined;
    expect(proposed?.case).toBe("value");
    // Raw bytes (field 14), not a Value wrapper.
    expect(proposed?.case === "value" && text(proposed.value)).toBe('"Hello, ann!"');
    // The answer went out between the proposal and the Output.
    const order = attempt.log.filter((e) => e.type !== MessageType.AwaitingOn).map((e) => `${e.direction}:${e.type}`);
    const answerType = version === 7 ? MessageType.ProposeRunCompletionAck : MessageType.RunCompletionNotification;
    expect(order).toEqual([
      `in:${MessageType.RunCommand}`,
      `in:${MessageType.ProposeRunCompletion}`,
      `out:${answerType}`,
      `in:${MessageType.OutputCommand}`,
      `in:${MessageType.End}`,
    ]);
    expect(outputOf(attempt)).toBe('"Hello, ann!"');
    expectSameBytesAsSdk(attempt);
  });

  it("suspends on the run's completion when the input closes unanswered", async () => {
    const attempt = await runAttempt(session, {
      version,
      path: "/invoke/Greeter/greetRun",
      initial: startFrames(version, [inputFrame("eve")], 1),
      endInputAfter: ({ decoded }) => decoded.type === MessageType.ProposeRunCompletion,
    });
    expect(significant(attempt)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.Suspension]);
    const last = attempt.received.at(-1)?.decoded;
    if (last?.type !== MessageType.Suspension) throw new Error("no suspension");
    // V7 sends the future tree (field 4); V5/V6 the flat lists (fields 1-3) of the same schema.
    expect(last.message.awaitingOn !== undefined).toBe(version === 7);
    if (version < 7) expect(last.message.waitingCompletions).toEqual([1]);
    const awaited = flattenFuture(suspensionFuture(last.message));
    expect(awaited.completions).toEqual([1]);
    expect(awaited.signals).toContain(1); // implicit cancellation (§10.12)
    expectSameBytesAsSdk(attempt);
  });

  it("replays a journaled run without proposing it again", async () => {
    const journal = [
      inputFrame("cy"),
      encodeMessageFrame(create(RunCommandMessageSchema, { resultCompletionId: 1, name: "compose" })),
      encodeMessageFrame(
        create(RunCompletionNotificationMessageSchema, {
          completionId: 1,
          result: { case: "value", value: create(ValueSchema, { content: json("Hello from the journal!") }) },
        }),
      ),
    ];
    const attempt = await runAttempt(session, {
      version,
      path: "/invoke/Greeter/greetRun",
      initial: startFrames(version, journal, journal.length),
    });
    expect(significant(attempt)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(outputOf(attempt)).toBe('"Hello from the journal!"');
  });
});

describe("request checks of the official SDK", () => {
  it("answers 415 to a content type with parameters or an unsupported version", async () => {
    const frames = Buffer.concat(startFrames(7, [inputFrame("x")], 1));
    for (const contentType of [`${formatInvocationContentType(7)}; charset=utf-8`, "application/vnd.restate.invocation.v4"]) {
      const answer = await request(session, { ":method": "POST", ":path": "/invoke/Greeter/greet", "content-type": contentType }, frames);
      expect(answer.status, contentType).toBe(415);
    }
  });

  it("reads a stored journal entry framed with encodeFrame", async () => {
    const stored = encodeMessage(create(InputCommandMessageSchema, { value: create(ValueSchema, { content: json("dee") }) }));
    const attempt = await runAttempt(session, {
      version: 7,
      path: "/invoke/Greeter/greet",
      initial: startFrames(7, [encodeFrame(MessageType.InputCommand, stored)], 1),
    });
    expect(outputOf(attempt)).toBe('"Hello, dee!"');
  });
});
