// The message type code table of service protocol V5..V7 (RESTATE-PROTOCOL.md §1.3, §3): each
// code, its kind, its protobuf schema, and the notification(s) that answer each completable
// command.
//
//   0x0000-0x03FF  control frames
//   0x0400-0x7FFF  commands            (0x0400 + n)
//   0x8000-0xFBFF  notifications       (0x8000 + n answers command 0x0400 + n, except 0x800E
//                                       for Call/OneWayCall ids and 0xFBFF for signals)
//   0xFC00-0xFFFF  custom entries      (opaque: no schema, stored and replayed as bytes)

import type { DescMessage } from "@bufbuild/protobuf";
import {
  AttachInvocationCommandMessageSchema,
  AttachInvocationCompletionNotificationMessageSchema,
  AwaitingOnMessageSchema,
  CallCommandMessageSchema,
  CallCompletionNotificationMessageSchema,
  CallInvocationIdCompletionNotificationMessageSchema,
  ClearAllStateCommandMessageSchema,
  ClearStateCommandMessageSchema,
  CommandAckMessageSchema,
  CompleteAwakeableCommandMessageSchema,
  CompletePromiseCommandMessageSchema,
  CompletePromiseCompletionNotificationMessageSchema,
  EndMessageSchema,
  ErrorMessageSchema,
  GetEagerStateCommandMessageSchema,
  GetEagerStateKeysCommandMessageSchema,
  GetInvocationOutputCommandMessageSchema,
  GetInvocationOutputCompletionNotificationMessageSchema,
  GetLazyStateCommandMessageSchema,
  GetLazyStateCompletionNotificationMessageSchema,
  GetLazyStateKeysCommandMessageSchema,
  GetLazyStateKeysCompletionNotificationMessageSchema,
  GetPromiseCommandMessageSchema,
  GetPromiseCompletionNotificationMessageSchema,
  InputCommandMessageSchema,
  OneWayCallCommandMessageSchema,
  OutputCommandMessageSchema,
  PeekPromiseCommandMessageSchema,
  PeekPromiseCompletionNotificationMessageSchema,
  ProposeRunCompletionAckMessageSchema,
  ProposeRunCompletionMessageSchema,
  RunCommandMessageSchema,
  RunCompletionNotificationMessageSchema,
  SendSignalCommandMessageSchema,
  SetStateCommandMessageSchema,
  SignalNotificationMessageSchema,
  SleepCommandMessageSchema,
  SleepCompletionNotificationMessageSchema,
  StartMessageSchema,
  SuspensionMessageSchema,
  type AttachInvocationCommandMessage,
  type AttachInvocationCompletionNotificationMessage,
  type AwaitingOnMessage,
  type CallCommandMessage,
  type CallCompletionNotificationMessage,
  type CallInvocationIdCompletionNotificationMessage,
  type ClearAllStateCommandMessage,
  type ClearStateCommandMessage,
  type CommandAckMessage,
  type CompleteAwakeableCommandMessage,
  type CompletePromiseCommandMessage,
  type CompletePromiseCompletionNotificationMessage,
  type EndMessage,
  type ErrorMessage,
  type GetEagerStateCommandMessage,
  type GetEagerStateKeysCommandMessage,
  type GetInvocationOutputCommandMessage,
  type GetInvocationOutputCompletionNotificationMessage,
  type GetLazyStateCommandMessage,
  type GetLazyStateCompletionNotificationMessage,
  type GetLazyStateKeysCommandMessage,
  type GetLazyStateKeysCompletionNotificationMessage,
  type GetPromiseCommandMessage,
  type GetPromiseCompletionNotificationMessage,
  type InputCommandMessage,
  type OneWayCallCommandMessage,
  type OutputCommandMessage,
  type PeekPromiseCommandMessage,
  type PeekPromiseCompletionNotificationMessage,
  type ProposeRunCompletionAckMessage,
  type ProposeRunCompletionMessage,
  type RunCommandMessage,
  type RunCompletionNotificationMessage,
  type SendSignalCommandMessage,
  type SetStateCommandMessage,
  type SignalNotificationMessage,
  type SleepCommandMessage,
  type SleepCompletionNotificationMessage,
  type StartMessage,
  type SuspensionMessage,
} from "./gen/dev/restate/service/protocol_pb.js";

/** Type codes of every message with a schema, by name. */
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

  GetLazyStateCompletionNotification: 0x8002,
  GetLazyStateKeysCompletionNotification: 0x8006,
  GetPromiseCompletionNotification: 0x8009,
  PeekPromiseCompletionNotification: 0x800a,
  CompletePromiseCompletionNotification: 0x800b,
  SleepCompletionNotification: 0x800c,
  CallCompletionNotification: 0x800d,
  CallInvocationIdCompletionNotification: 0x800e,
  RunCompletionNotification: 0x8011,
  AttachInvocationCompletionNotification: 0x8012,
  GetInvocationOutputCompletionNotification: 0x8013,
  SignalNotification: 0xfbff,
} as const;

export type MessageTypeName = keyof typeof MessageType;
/** A type code that has a schema in this package. */
export type KnownMessageType = (typeof MessageType)[MessageTypeName];

/** The message shape carried by each known type code. */
export interface MessageShapeByType {
  [MessageType.Start]: StartMessage;
  [MessageType.Suspension]: SuspensionMessage;
  [MessageType.Error]: ErrorMessage;
  [MessageType.End]: EndMessage;
  [MessageType.CommandAck]: CommandAckMessage;
  [MessageType.ProposeRunCompletion]: ProposeRunCompletionMessage;
  [MessageType.AwaitingOn]: AwaitingOnMessage;
  [MessageType.ProposeRunCompletionAck]: ProposeRunCompletionAckMessage;
  [MessageType.InputCommand]: InputCommandMessage;
  [MessageType.OutputCommand]: OutputCommandMessage;
  [MessageType.GetLazyStateCommand]: GetLazyStateCommandMessage;
  [MessageType.SetStateCommand]: SetStateCommandMessage;
  [MessageType.ClearStateCommand]: ClearStateCommandMessage;
  [MessageType.ClearAllStateCommand]: ClearAllStateCommandMessage;
  [MessageType.GetLazyStateKeysCommand]: GetLazyStateKeysCommandMessage;
  [MessageType.GetEagerStateCommand]: GetEagerStateCommandMessage;
  [MessageType.GetEagerStateKeysCommand]: GetEagerStateKeysCommandMessage;
  [MessageType.GetPromiseCommand]: GetPromiseCommandMessage;
  [MessageType.PeekPromiseCommand]: PeekPromiseCommandMessage;
  [MessageType.CompletePromiseCommand]: CompletePromiseCommandMessage;
  [MessageType.SleepCommand]: SleepCommandMessage;
  [MessageType.CallCommand]: CallCommandMessage;
  [MessageType.OneWayCallCommand]: OneWayCallCommandMessage;
  [MessageType.SendSignalCommand]: SendSignalCommandMessage;
  [MessageType.RunCommand]: RunCommandMessage;
  [MessageType.AttachInvocationCommand]: AttachInvocationCommandMessage;
  [MessageType.GetInvocationOutputCommand]: GetInvocationOutputCommandMessage;
  [MessageType.CompleteAwakeableCommand]: CompleteAwakeableCommandMessage;
  [MessageType.GetLazyStateCompletionNotification]: GetLazyStateCompletionNotificationMessage;
  [MessageType.GetLazyStateKeysCompletionNotification]: GetLazyStateKeysCompletionNotificationMessage;
  [MessageType.GetPromiseCompletionNotification]: GetPromiseCompletionNotificationMessage;
  [MessageType.PeekPromiseCompletionNotification]: PeekPromiseCompletionNotificationMessage;
  [MessageType.CompletePromiseCompletionNotification]: CompletePromiseCompletionNotificationMessage;
  [MessageType.SleepCompletionNotification]: SleepCompletionNotificationMessage;
  [MessageType.CallCompletionNotification]: CallCompletionNotificationMessage;
  [MessageType.CallInvocationIdCompletionNotification]: CallInvocationIdCompletionNotificationMessage;
  [MessageType.RunCompletionNotification]: RunCompletionNotificationMessage;
  [MessageType.AttachInvocationCompletionNotification]: AttachInvocationCompletionNotificationMessage;
  [MessageType.GetInvocationOutputCompletionNotification]: GetInvocationOutputCompletionNotificationMessage;
  [MessageType.SignalNotification]: SignalNotificationMessage;
}

/** Any message that travels as a frame payload. */
export type ProtocolMessage = MessageShapeByType[KnownMessageType];

/** A decoded message with its type code; narrow with `decoded.type === MessageType.X`. */
export type DecodedMessage = {
  [T in KnownMessageType]: { readonly type: T; readonly message: MessageShapeByType[T] };
}[KnownMessageType];

export type MessageKind = "control" | "command" | "notification" | "custom";

const schemas: ReadonlyMap<number, DescMessage> = new Map<KnownMessageType, DescMessage>([
  [MessageType.Start, StartMessageSchema],
  [MessageType.Suspension, SuspensionMessageSchema],
  [MessageType.Error, ErrorMessageSchema],
  [MessageType.End, EndMessageSchema],
  [MessageType.CommandAck, CommandAckMessageSchema],
  [MessageType.ProposeRunCompletion, ProposeRunCompletionMessageSchema],
  [MessageType.AwaitingOn, AwaitingOnMessageSchema],
  [MessageType.ProposeRunCompletionAck, ProposeRunCompletionAckMessageSchema],
  [MessageType.InputCommand, InputCommandMessageSchema],
  [MessageType.OutputCommand, OutputCommandMessageSchema],
  [MessageType.GetLazyStateCommand, GetLazyStateCommandMessageSchema],
  [MessageType.SetStateCommand, SetStateCommandMessageSchema],
  [MessageType.ClearStateCommand, ClearStateCommandMessageSchema],
  [MessageType.ClearAllStateCommand, ClearAllStateCommandMessageSchema],
  [MessageType.GetLazyStateKeysCommand, GetLazyStateKeysCommandMessageSchema],
  [MessageType.GetEagerStateCommand, GetEagerStateCommandMessageSchema],
  [MessageType.GetEagerStateKeysCommand, GetEagerStateKeysCommandMessageSchema],
  [MessageType.GetPromiseCommand, GetPromiseCommandMessageSchema],
  [MessageType.PeekPromiseCommand, PeekPromiseCommandMessageSchema],
  [MessageType.CompletePromiseCommand, CompletePromiseCommandMessageSchema],
  [MessageType.SleepCommand, SleepCommandMessageSchema],
  [MessageType.CallCommand, CallCommandMessageSchema],
  [MessageType.OneWayCallCommand, OneWayCallCommandMessageSchema],
  [MessageType.SendSignalCommand, SendSignalCommandMessageSchema],
  [MessageType.RunCommand, RunCommandMessageSchema],
  [MessageType.AttachInvocationCommand, AttachInvocationCommandMessageSchema],
  [MessageType.GetInvocationOutputCommand, GetInvocationOutputCommandMessageSchema],
  [MessageType.CompleteAwakeableCommand, CompleteAwakeableCommandMessageSchema],
  [MessageType.GetLazyStateCompletionNotification, GetLazyStateCompletionNotificationMessageSchema],
  [MessageType.GetLazyStateKeysCompletionNotification, GetLazyStateKeysCompletionNotificationMessageSchema],
  [MessageType.GetPromiseCompletionNotification, GetPromiseCompletionNotificationMessageSchema],
  [MessageType.PeekPromiseCompletionNotification, PeekPromiseCompletionNotificationMessageSchema],
  [MessageType.CompletePromiseCompletionNotification, CompletePromiseCompletionNotificationMessageSchema],
  [MessageType.SleepCompletionNotification, SleepCompletionNotificationMessageSchema],
  [MessageType.CallCompletionNotification, CallCompletionNotificationMessageSchema],
  [MessageType.CallInvocationIdCompletionNotification, CallInvocationIdCompletionNotificationMessageSchema],
  [MessageType.RunCompletionNotification, RunCompletionNotificationMessageSchema],
  [MessageType.AttachInvocationCompletionNotification, AttachInvocationCompletionNotificationMessageSchema],
  [MessageType.GetInvocationOutputCompletionNotification, GetInvocationOutputCompletionNotificationMessageSchema],
  [MessageType.SignalNotification, SignalNotificationMessageSchema],
]);

const typeByTypeName: ReadonlyMap<string, KnownMessageType> = new Map(
  [...schemas].map(([type, schema]) => [schema.typeName, type as KnownMessageType]),
);

const nameByType: ReadonlyMap<number, MessageTypeName> = new Map(
  (Object.entries(MessageType) as [MessageTypeName, KnownMessageType][]).map(([name, type]) => [type, name]),
);

const knownTypes: readonly KnownMessageType[] = Object.freeze([...schemas.keys()] as KnownMessageType[]);

// Both tables list the same codes: checked once at load.
if (nameByType.size !== schemas.size || typeByTypeName.size !== schemas.size) {
  throw new Error("@cairn/protocol: MessageType and the schema table disagree");
}

/** Every type code with a schema, ascending. */
export function knownMessageTypes(): readonly KnownMessageType[] {
  return knownTypes;
}

/** True when `type` has a schema in this package. */
export function isKnownMessageType(type: number): type is KnownMessageType {
  return schemas.has(type);
}

/** The protobuf schema of a type code, or undefined for unassigned codes and custom entries. */
export function messageSchemaOf(type: number): DescMessage | undefined {
  return schemas.get(type);
}

/** The type code of a schema (or of a message's `$typeName`), or undefined if it is no frame payload. */
export function messageTypeOf(schemaOrTypeName: DescMessage | string): KnownMessageType | undefined {
  return typeByTypeName.get(typeof schemaOrTypeName === "string" ? schemaOrTypeName : schemaOrTypeName.typeName);
}

/** Readable name of a type code: `Start`, `RunCommand`, … or `0xfc01` for codes without a schema. */
export function messageTypeName(type: number): string {
  return nameByType.get(type) ?? `0x${type.toString(16).padStart(4, "0")}`;
}

/** Namespace of a type code (§1.3). */
export function messageKindOf(type: number): MessageKind {
  if (type < 0x0400) return "control";
  if (type < 0x8000) return "command";
  if (type < 0xfc00) return "notification";
  return "custom";
}

/**
 * Whether a frame of this type may carry REQUESTED_ACK: commands, ProposeRunCompletion and custom
 * entries. Notifications and the other control frames never do (§1.2).
 */
export function messageTypeAllowsAck(type: number): boolean {
  const kind = messageKindOf(type);
  return kind === "command" || kind === "custom" || type === MessageType.ProposeRunCompletion;
}

/** Lowest protocol version in which a type code exists (AwaitingOn and ProposeRunCompletionAck are V7). */
export function messageTypeSinceVersion(type: number): number {
  return type === MessageType.AwaitingOn || type === MessageType.ProposeRunCompletionAck ? 7 : 5;
}

const completions: ReadonlyMap<number, readonly KnownMessageType[]> = new Map<KnownMessageType, readonly KnownMessageType[]>([
  [MessageType.GetLazyStateCommand, [MessageType.GetLazyStateCompletionNotification]],
  [MessageType.GetLazyStateKeysCommand, [MessageType.GetLazyStateKeysCompletionNotification]],
  [MessageType.GetPromiseCommand, [MessageType.GetPromiseCompletionNotification]],
  [MessageType.PeekPromiseCommand, [MessageType.PeekPromiseCompletionNotification]],
  [MessageType.CompletePromiseCommand, [MessageType.CompletePromiseCompletionNotification]],
  [MessageType.SleepCommand, [MessageType.SleepCompletionNotification]],
  // The callee's id (keyed by invocation_id_notification_idx) comes first, then the result.
  [MessageType.CallCommand, [MessageType.CallInvocationIdCompletionNotification, MessageType.CallCompletionNotification]],
  [MessageType.OneWayCallCommand, [MessageType.CallInvocationIdCompletionNotification]],
  [MessageType.RunCommand, [MessageType.RunCompletionNotification]],
  [MessageType.AttachInvocationCommand, [MessageType.AttachInvocationCompletionNotification]],
  [MessageType.GetInvocationOutputCommand, [MessageType.GetInvocationOutputCompletionNotification]],
]);

/**
 * The notification type(s) that complete a command, in the order the server sends them; empty for
 * commands that complete nothing (Input, Output, state writes, eager reads, signals, …).
 */
export function completionNotificationTypesOf(commandType: number): readonly KnownMessageType[] {
  return completions.get(commandType) ?? [];
}
