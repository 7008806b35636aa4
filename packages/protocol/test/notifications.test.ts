// Goal: a run proposal becomes the RunCompletion notification the SDK replays (raw bytes
// re-wrapped in Value, §10.8); method: encode both and compare with hand-written bytes.
import { describe, expect, it } from "vitest";
import {
  create,
  encodeMessage,
  FailureSchema,
  notificationOutcomeOf,
  NotificationTemplateSchema,
  ProposeRunCompletionMessageSchema,
  runCompletionOf,
  VoidSchema,
} from "@cairn/protocol";
import { toHex } from "./support/fixtures.js";

describe("runCompletionOf", () => {
  it("wraps a proposed value in Value{content}", () => {
    const proposal = create(ProposeRunCompletionMessageSchema, { resultCompletionId: 2, result: { case: "value", value: Uint8Array.from([0x22, 0x22]) } });
    expect(toHex(encodeMessage(proposal))).toBe("0802" + "72022222"); // field 14: raw bytes
    const notification = runCompletionOf(proposal);
    if (notification === undefined) throw new Error("no notification");
    expect(toHex(encodeMessage(notification))).toBe("0802" + "2a04" + "0a022222"); // field 5: Value{field 1}
  });

  it("carries a proposed failure over", () => {
    const failure = create(FailureSchema, { code: 500, message: "run failed" });
    const notification = runCompletionOf(create(ProposeRunCompletionMessageSchema, { resultCompletionId: 1, result: { case: "failure", value: failure } }));
    expect(notification?.result).toEqual({ case: "failure", value: failure });
  });

  it("has nothing to say about an empty proposal", () => {
    expect(runCompletionOf(create(ProposeRunCompletionMessageSchema, { resultCompletionId: 1 }))).toBeUndefined();
  });
});

describe("notificationOutcomeOf", () => {
  it("tells failures from the other results", () => {
    const of = (result: Parameters<typeof create<typeof NotificationTemplateSchema>>[1]) => notificationOutcomeOf(create(NotificationTemplateSchema, result));
    expect(of({ result: { case: "failure", value: create(FailureSchema) } })).toBe("failure");
    expect(of({ result: { case: "void", value: create(VoidSchema) } })).toBe("success");
    expect(of({ result: { case: "invocationId", value: "inv_1" } })).toBe("success");
    expect(of({})).toBeUndefined();
  });
});
