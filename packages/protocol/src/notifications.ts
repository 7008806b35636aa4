// Helpers for building notifications a server sends, where the wire has a trap.

import { create } from "@bufbuild/protobuf";
import {
  RunCompletionNotificationMessageSchema,
  ValueSchema,
  type ProposeRunCompletionMessage,
  type RunCompletionNotificationMessage,
} from "./gen/dev/restate/service/protocol_pb.js";
import type { NotificationOutcome } from "./future.js";
import type { NotificationTemplate } from "./gen/dev/restate/service/protocol_pb.js";

/**
 * The RunCompletionNotification (0x8011) to journal for a ProposeRunCompletion (0x0005). The
 * proposal carries raw bytes (field 14) where the notification wants a `Value{content}` (field
 * 5), so the value is re-wrapped (§10.8). Returns undefined if the proposal has no result.
 */
export function runCompletionOf(proposal: ProposeRunCompletionMessage): RunCompletionNotificationMessage | undefined {
  const result = proposal.result;
  if (result.case === "value") {
    return create(RunCompletionNotificationMessageSchema, {
      completionId: proposal.resultCompletionId,
      result: { case: "value", value: create(ValueSchema, { content: result.value }) },
    });
  }
  if (result.case === "failure") {
    return create(RunCompletionNotificationMessageSchema, {
      completionId: proposal.resultCompletionId,
      result: { case: "failure", value: result.value },
    });
  }
  return undefined;
}

/** Success or failure of a notification read with the shared template; undefined if it has no result. */
export function notificationOutcomeOf(notification: NotificationTemplate): NotificationOutcome {
  switch (notification.result.case) {
    case undefined:
      return undefined;
    case "failure":
      return "failure";
    default:
      return "success";
  }
}
