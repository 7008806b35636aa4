// Encoders of the journal entries the processor writes itself: the Input command of a new
// invocation and the notifications it appends (RESTATE-PROTOCOL.md §3.4). Encoding is
// deterministic: the same values give the same bytes (D3), and empty oneof members are written (§10.9).
import {
  CallCompletionNotificationMessageSchema,
  CallInvocationIdCompletionNotificationMessageSchema,
  FailureMetadataSchema,
  FailureSchema,
  GetLazyStateCompletionNotificationMessageSchema,
  GetLazyStateKeysCompletionNotificationMessageSchema,
  HeaderSchema,
  InputCommandMessageSchema,
  MessageType,
  NotificationTemplateSchema,
  ProposeRunCompletionAckMessageSchema,
  SignalNotificationMessageSchema,
  SleepCompletionNotificationMessageSchema,
  StateKeysSchema,
  ValueSchema,
  VoidSchema,
  create,
  encodeProto,
  type Failure,
} from "@cairn/protocol";
import type { SignalPayload, WireFailure } from "./command-codec.js";

export function encodeInput(headers: readonly (readonly [string, string])[], body: Uint8Array): Uint8Array {
  return encodeProto(
    InputCommandMessageSchema,
    create(InputCommandMessageSchema, {
      headers: headers.map(([key, value]) => create(HeaderSchema, { key, value })),
      value: create(ValueSchema, { content: body }),
    }),
  );
}

export function toFailure(failure: WireFailure): Failure {
  return create(FailureSchema, {
    code: failure.code,
    message: failure.msg,
    metadata: (failure.meta ?? []).map(([key, value]) => create(FailureMetadataSchema, { key, value })),
  });
}

export function fromFailure(failure: Failure): WireFailure {
  const wire: WireFailure = { code: failure.code, msg: failure.message };
  if (failure.metadata.length > 0) wire.meta = failure.metadata.map((m) => [m.key, m.value]);
  return wire;
}

export function sleepCompletion(completionId: number): Uint8Array {
  return encodeProto(
    SleepCompletionNotificationMessageSchema,
    create(SleepCompletionNotificationMessageSchema, { completionId, void: create(VoidSchema) }),
  );
}

export function lazyStateCompletion(completionId: number, value: Uint8Array | undefined): Uint8Array {
  return encodeProto(
    GetLazyStateCompletionNotificationMessageSchema,
    create(GetLazyStateCompletionNotificationMessageSchema, {
      completionId,
      result: value === undefined ? { case: "void", value: create(VoidSchema) } : { case: "value", value: create(ValueSchema, { content: value }) },
    }),
  );
}

export function lazyStateKeysCompletion(completionId: number, keys: Uint8Array[]): Uint8Array {
  return encodeProto(
    GetLazyStateKeysCompletionNotificationMessageSchema,
    create(GetLazyStateKeysCompletionNotificationMessageSchema, { completionId, stateKeys: create(StateKeysSchema, { keys }) }),
  );
}

export function callInvocationIdCompletion(completionId: number, invocationId: string): Uint8Array {
  return encodeProto(
    CallInvocationIdCompletionNotificationMessageSchema,
    create(CallInvocationIdCompletionNotificationMessageSchema, { completionId, invocationId }),
  );
}

export function callCompletion(completionId: number, ok: Uint8Array | undefined, failure: WireFailure | undefined): Uint8Array {
  return encodeProto(
    CallCompletionNotificationMessageSchema,
    create(CallCompletionNotificationMessageSchema, {
      completionId,
      result:
        failure !== undefined
          ? { case: "failure", value: toFailure(failure) }
          : { case: "value", value: create(ValueSchema, { content: ok ?? new Uint8Array(0) }) },
    }),
  );
}

export function runCompletionAck(completionId: number): Uint8Array {
  return encodeProto(ProposeRunCompletionAckMessageSchema, create(ProposeRunCompletionAckMessageSchema, { completionId }));
}

export { MessageType };

/** SignalNotification{idx | name, void | value | failure} (§3.4); void when neither ok nor fail is set. */
export function signalNotification(sig: SignalPayload): Uint8Array {
  return encodeProto(
    SignalNotificationMessageSchema,
    create(SignalNotificationMessageSchema, {
      signalId: sig.name !== undefined ? { case: "name", value: sig.name } : { case: "idx", value: sig.idx ?? 0 },
      result:
        sig.fail !== undefined
          ? { case: "failure", value: toFailure(sig.fail) }
          : sig.ok !== undefined
            ? { case: "value", value: create(ValueSchema, { content: sig.ok }) }
            : { case: "void", value: create(VoidSchema) },
    }),
  );
}

/** What a completion notification carries: a value, a failure, or nothing (void). */
export type CompletionResult = { ok: Uint8Array } | { fail: WireFailure } | { void: true };

/**
 * A completion notification `{completion_id, void | value | failure}` of any type (GetPromise,
 * PeekPromise, CompletePromise, Call, AttachInvocation, GetInvocationOutput): they share the
 * NotificationTemplate fields, so one encoder gives each type's exact bytes.
 */
export function completionNotification(completionId: number, result: CompletionResult): Uint8Array {
  return encodeProto(
    NotificationTemplateSchema,
    create(NotificationTemplateSchema, {
      id: { case: "completionId", value: completionId },
      result:
        "fail" in result
          ? { case: "failure", value: toFailure(result.fail) }
          : "ok" in result
            ? { case: "value", value: create(ValueSchema, { content: result.ok }) }
            : { case: "void", value: create(VoidSchema) },
    }),
  );
}
