// Service-protocol messages (V5–V7) as codec schemas, and their type codes.
//
// Frame payloads are proto3 messages of package `dev.restate.service.protocol`; field numbers
// follow RESTATE-PROTOCOL.md §3. The V5/V6 `SuspensionMessage` uses fields 1–3 (flat lists) and
// V7 uses field 4 (`Future` tree); both are declared here and the writer picks by version.
import { type Schema, schema } from "./protobuf.js";

export const MessageType = {
  Start: 0x0000,
  Suspension: 0x0001,
  Error: 0x0002,
  End: 0x0003,
  CommandAck: 0x0004,
  ProposeRunCompletion: 0x0005,
  AwaitingOn: 0x0006,
  ProposeRunCompletionAck: 0x0007,
  InputCommand: 0x0400,
  OutputCommand: 0x0401,
  GetLazyStateCommand: 0x0402,
  SetStateCommand: 0x0403,
  ClearStateCommand: 0x0404,
  ClearAllStateCommand: 0x0405,
  GetLazyStateKeysCommand: 0x0406,
  GetEagerStateCommand: 0x0407,
  GetEagerStateKeysCommand: 0x0408,
  GetPromiseCommand: 0x0409,
  PeekPromiseCommand: 0x040a,
  CompletePromiseCommand: 0x040b,
  SleepCommand: 0x040c,
  CallCommand: 0x040d,
  OneWayCallCommand: 0x040e,
  SendSignalCommand: 0x0410,
  RunCommand: 0x0411,
  AttachInvocationCommand: 0x0412,
  GetInvocationOutputCommand: 0x0413,
  CompleteAwakeableCommand: 0x0414,
  SignalNotification: 0xfbff,
} as const;

/** Human-readable names for error messages ("journal mismatch at Sleep …"). */
export const COMMAND_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0400, "Input"],
  [0x0401, "Output"],
  [0x0402, "GetLazyState"],
  [0x0403, "SetState"],
  [0x0404, "ClearState"],
  [0x0405, "ClearAllState"],
  [0x0406, "GetLazyStateKeys"],
  [0x0407, "GetEagerState"],
  [0x0408, "GetEagerStateKeys"],
  [0x0409, "GetPromise"],
  [0x040a, "PeekPromise"],
  [0x040b, "CompletePromise"],
  [0x040c, "Sleep"],
  [0x040d, "Call"],
  [0x040e, "OneWayCall"],
  [0x0410, "SendSignal"],
  [0x0411, "Run"],
  [0x0412, "AttachInvocation"],
  [0x0413, "GetInvocationOutput"],
  [0x0414, "CompleteAwakeable"],
]);

export function isCommand(type: number): boolean {
  return type >= 0x0400 && type < 0x8000;
}

export function isNotification(type: number): boolean {
  return type >= 0x8000 && type < 0xfc00;
}

export function commandName(type: number): string {
  return COMMAND_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

// Shared nested types.
export const Value = schema("Value", [{ no: 1, name: "content", kind: "bytes" }]);
export const FailureMetadata = schema("FailureMetadata", [
  { no: 1, name: "key", kind: "string" },
  { no: 2, name: "value", kind: "string" },
]);
export const Failure = schema("Failure", [
  { no: 1, name: "code", kind: "u32" },
  { no: 2, name: "message", kind: "string" },
  { no: 3, name: "metadata", kind: FailureMetadata, repeated: true },
]);
export const Header = schema("Header", [
  { no: 1, name: "key", kind: "string" },
  { no: 2, name: "value", kind: "string" },
]);
export const StateKeys = schema("StateKeys", [{ no: 1, name: "keys", kind: "bytes", repeated: true }]);
export const Void = schema("Void", []);
export const WorkflowTarget = schema("WorkflowTarget", [
  { no: 1, name: "workflowName", kind: "string" },
  { no: 2, name: "workflowKey", kind: "string" },
  { no: 3, name: "scope", kind: "string", presence: true },
]);
export const IdempotentRequestTarget = schema("IdempotentRequestTarget", [
  { no: 1, name: "serviceName", kind: "string" },
  { no: 2, name: "serviceKey", kind: "string", presence: true },
  { no: 3, name: "handlerName", kind: "string" },
  { no: 4, name: "idempotencyKey", kind: "string" },
  { no: 5, name: "scope", kind: "string", presence: true },
]);
const futureFields: Array<{ no: number; name: string; kind: "u32" | "string" | Schema; repeated?: boolean }> = [
  { no: 1, name: "waitingCompletions", kind: "u32", repeated: true },
  { no: 2, name: "waitingSignals", kind: "u32", repeated: true },
  { no: 3, name: "waitingNamedSignals", kind: "string", repeated: true },
  { no: 5, name: "combinatorType", kind: "u32" },
];
// `Future` is recursive (field 4 `nested_futures`): build it, then patch the self reference in.
export const Future: Schema = (() => {
  const fields = [...futureFields] as Array<{ no: number; name: string; kind: "u32" | "string" | Schema; repeated?: boolean }>;
  const s = schema("Future", fields);
  const nested = { no: 4, name: "nestedFutures", kind: s, repeated: true };
  (s.fields as unknown[]).push(nested);
  (s.byNo as unknown[])[4] = nested;
  return s;
})();

export const CombinatorType = {
  Unknown: 0,
  FirstCompleted: 1,
  AllCompleted: 2,
  FirstSucceededOrAllFailed: 3,
  AllSucceededOrFirstFailed: 4,
} as const;

// Control frames.
export const StateEntry = schema("StateEntry", [
  { no: 1, name: "key", kind: "bytes" },
  { no: 2, name: "value", kind: "bytes" },
]);
export const StartMessage = schema("StartMessage", [
  { no: 1, name: "id", kind: "bytes" },
  { no: 2, name: "debugId", kind: "string" },
  { no: 3, name: "knownEntries", kind: "u32" },
  { no: 4, name: "stateMap", kind: StateEntry, repeated: true },
  { no: 5, name: "partialState", kind: "bool" },
  { no: 6, name: "key", kind: "string" },
  { no: 7, name: "retryCountSinceLastStoredEntry", kind: "u32" },
  { no: 8, name: "durationSinceLastStoredEntry", kind: "u64" },
  { no: 9, name: "randomSeed", kind: "u64big" },
  { no: 10, name: "scope", kind: "string", presence: true },
  { no: 11, name: "limitKey", kind: "string", presence: true },
  { no: 12, name: "idempotencyKey", kind: "string", presence: true },
]);
export const SuspensionMessage = schema("SuspensionMessage", [
  { no: 1, name: "waitingCompletions", kind: "u32", repeated: true },
  { no: 2, name: "waitingSignals", kind: "u32", repeated: true },
  { no: 3, name: "waitingNamedSignals", kind: "string", repeated: true },
  { no: 4, name: "awaitingOn", kind: Future },
]);
export const ErrorMessage = schema("ErrorMessage", [
  { no: 1, name: "code", kind: "u32" },
  { no: 2, name: "message", kind: "string" },
  { no: 3, name: "stacktrace", kind: "string" },
  { no: 4, name: "relatedCommandIndex", kind: "u32", presence: true },
  { no: 5, name: "relatedCommandName", kind: "string", presence: true },
  { no: 6, name: "relatedCommandType", kind: "u32", presence: true },
  { no: 8, name: "nextRetryDelay", kind: "u64", presence: true },
  { no: 9, name: "behavior", kind: "u32" },
]);
export const EndMessage = schema("EndMessage", []);
export const ProposeRunCompletionMessage = schema("ProposeRunCompletionMessage", [
  { no: 1, name: "resultCompletionId", kind: "u32" },
  { no: 14, name: "value", kind: "bytes", presence: true },
  { no: 15, name: "failure", kind: Failure },
]);
export const AwaitingOnMessage = schema("AwaitingOnMessage", [
  { no: 1, name: "awaitingOn", kind: Future },
  { no: 2, name: "executingSideEffects", kind: "bool" },
]);
export const ProposeRunCompletionAckMessage = schema("ProposeRunCompletionAckMessage", [
  { no: 1, name: "completionId", kind: "u32" },
]);

// Commands.
const NAME = { no: 12, name: "name", kind: "string" } as const;
const CID = { no: 11, name: "resultCompletionId", kind: "u32" } as const;
export const InputCommand = schema("InputCommandMessage", [
  { no: 1, name: "headers", kind: Header, repeated: true },
  { no: 14, name: "value", kind: Value },
  NAME,
]);
export const OutputCommand = schema("OutputCommandMessage", [
  { no: 14, name: "value", kind: Value },
  { no: 15, name: "failure", kind: Failure },
  NAME,
]);
export const GetLazyStateCommand = schema("GetLazyStateCommandMessage", [{ no: 1, name: "key", kind: "bytes" }, CID, NAME]);
export const SetStateCommand = schema("SetStateCommandMessage", [
  { no: 1, name: "key", kind: "bytes" },
  { no: 3, name: "value", kind: Value },
  NAME,
]);
export const ClearStateCommand = schema("ClearStateCommandMessage", [{ no: 1, name: "key", kind: "bytes" }, NAME]);
export const ClearAllStateCommand = schema("ClearAllStateCommandMessage", [NAME]);
export const GetLazyStateKeysCommand = schema("GetLazyStateKeysCommandMessage", [CID, NAME]);
export const GetEagerStateCommand = schema("GetEagerStateCommandMessage", [
  { no: 1, name: "key", kind: "bytes" },
  { no: 13, name: "void", kind: Void },
  { no: 14, name: "value", kind: Value },
  NAME,
]);
export const GetEagerStateKeysCommand = schema("GetEagerStateKeysCommandMessage", [
  { no: 14, name: "value", kind: StateKeys },
  NAME,
]);
export const GetPromiseCommand = schema("GetPromiseCommandMessage", [{ no: 1, name: "key", kind: "string" }, CID, NAME]);
export const PeekPromiseCommand = schema("PeekPromiseCommandMessage", [{ no: 1, name: "key", kind: "string" }, CID, NAME]);
export const CompletePromiseCommand = schema("CompletePromiseCommandMessage", [
  { no: 1, name: "key", kind: "string" },
  { no: 2, name: "completionValue", kind: Value },
  { no: 3, name: "completionFailure", kind: Failure },
  CID,
  NAME,
]);
export const SleepCommand = schema("SleepCommandMessage", [{ no: 1, name: "wakeUpTime", kind: "u64" }, CID, NAME]);
export const CallCommand = schema("CallCommandMessage", [
  { no: 1, name: "serviceName", kind: "string" },
  { no: 2, name: "handlerName", kind: "string" },
  { no: 3, name: "parameter", kind: "bytes" },
  { no: 4, name: "headers", kind: Header, repeated: true },
  { no: 5, name: "key", kind: "string" },
  { no: 6, name: "idempotencyKey", kind: "string", presence: true },
  { no: 7, name: "scope", kind: "string", presence: true },
  { no: 8, name: "limitKey", kind: "string", presence: true },
  { no: 10, name: "invocationIdNotificationIdx", kind: "u32" },
  CID,
  NAME,
]);
export const OneWayCallCommand = schema("OneWayCallCommandMessage", [
  { no: 1, name: "serviceName", kind: "string" },
  { no: 2, name: "handlerName", kind: "string" },
  { no: 3, name: "parameter", kind: "bytes" },
  { no: 4, name: "invokeTime", kind: "u64" },
  { no: 5, name: "headers", kind: Header, repeated: true },
  { no: 6, name: "key", kind: "string" },
  { no: 7, name: "idempotencyKey", kind: "string", presence: true },
  { no: 8, name: "scope", kind: "string", presence: true },
  { no: 9, name: "limitKey", kind: "string", presence: true },
  { no: 10, name: "invocationIdNotificationIdx", kind: "u32" },
  NAME,
]);
export const SendSignalCommand = schema("SendSignalCommandMessage", [
  { no: 1, name: "targetInvocationId", kind: "string" },
  { no: 2, name: "idx", kind: "u32", presence: true },
  { no: 3, name: "name", kind: "string", presence: true },
  { no: 4, name: "void", kind: Void },
  { no: 5, name: "value", kind: Value },
  { no: 6, name: "failure", kind: Failure },
  { no: 12, name: "entryName", kind: "string" },
]);
export const RunCommand = schema("RunCommandMessage", [CID, NAME]);
const targetFields = [
  { no: 1, name: "invocationId", kind: "string", presence: true },
  { no: 3, name: "idempotentRequestTarget", kind: IdempotentRequestTarget },
  { no: 4, name: "workflowTarget", kind: WorkflowTarget },
  CID,
  NAME,
] as const;
export const AttachInvocationCommand = schema("AttachInvocationCommandMessage", [...targetFields]);
export const GetInvocationOutputCommand = schema("GetInvocationOutputCommandMessage", [...targetFields]);
export const CompleteAwakeableCommand = schema("CompleteAwakeableCommandMessage", [
  { no: 1, name: "awakeableId", kind: "string" },
  { no: 2, name: "value", kind: Value },
  { no: 3, name: "failure", kind: Failure },
  NAME,
]);

/** Every notification (0x8000–0xFBFF) shares this shape. */
export const NotificationTemplate = schema("NotificationTemplate", [
  { no: 1, name: "completionId", kind: "u32", presence: true },
  { no: 2, name: "signalId", kind: "u32", presence: true },
  { no: 3, name: "signalName", kind: "string", presence: true },
  { no: 4, name: "void", kind: Void },
  { no: 5, name: "value", kind: Value },
  { no: 6, name: "failure", kind: Failure },
  { no: 16, name: "invocationId", kind: "string", presence: true },
  { no: 17, name: "stateKeys", kind: StateKeys },
]);

/** Command schema by type code. */
export const COMMAND_SCHEMAS: ReadonlyMap<number, Schema> = new Map<number, Schema>([
  [MessageType.InputCommand, InputCommand],
  [MessageType.OutputCommand, OutputCommand],
  [MessageType.GetLazyStateCommand, GetLazyStateCommand],
  [MessageType.SetStateCommand, SetStateCommand],
  [MessageType.ClearStateCommand, ClearStateCommand],
  [MessageType.ClearAllStateCommand, ClearAllStateCommand],
  [MessageType.GetLazyStateKeysCommand, GetLazyStateKeysCommand],
  [MessageType.GetEagerStateCommand, GetEagerStateCommand],
  [MessageType.GetEagerStateKeysCommand, GetEagerStateKeysCommand],
  [MessageType.GetPromiseCommand, GetPromiseCommand],
  [MessageType.PeekPromiseCommand, PeekPromiseCommand],
  [MessageType.CompletePromiseCommand, CompletePromiseCommand],
  [MessageType.SleepCommand, SleepCommand],
  [MessageType.CallCommand, CallCommand],
  [MessageType.OneWayCallCommand, OneWayCallCommand],
  [MessageType.SendSignalCommand, SendSignalCommand],
  [MessageType.RunCommand, RunCommand],
  [MessageType.AttachInvocationCommand, AttachInvocationCommand],
  [MessageType.GetInvocationOutputCommand, GetInvocationOutputCommand],
  [MessageType.CompleteAwakeableCommand, CompleteAwakeableCommand],
]);
