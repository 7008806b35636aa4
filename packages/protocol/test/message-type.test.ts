// Goal: the type-code table matches §1.3/§3 (codes, kinds, ack rules, completion notifications);
// method: table-driven checks of every code and of the namespace boundaries.
import { describe, expect, it } from "vitest";
import {
  completionNotificationTypesOf,
  isKnownMessageType,
  knownMessageTypes,
  messageKindOf,
  messageSchemaOf,
  messageTypeAllowsAck,
  messageTypeName,
  messageTypeOf,
  messageTypeSinceVersion,
  MessageType,
  RunCommandMessageSchema,
  StartMessageSchema,
} from "@cairn/protocol";

describe("message type table", () => {
  it("has the codes of §3", () => {
    expect(MessageType).toMatchObject({
      Start: 0x0000,
      Suspension: 0x0001,
      Error: 0x0002,
      End: 0x0003,
      CommandAck: 0x0004,
      ProposeRunCompletion: 0x0005,
      AwaitingOn: 0x0006,
      ProposeRunCompletionAck: 0x0007,
      InputCommand: 0x0400,
      SendSignalCommand: 0x0410,
      RunCommand: 0x0411,
      CompleteAwakeableCommand: 0x0414,
      CallInvocationIdCompletionNotification: 0x800e,
      SignalNotification: 0xfbff,
    });
    expect(knownMessageTypes()).toHaveLength(40);
    expect(isKnownMessageType(0x040f)).toBe(false);
  });

  it("maps codes to schemas and back", () => {
    for (const type of knownMessageTypes()) {
      const schema = messageSchemaOf(type);
      expect(schema, messageTypeName(type)).toBeDefined();
      if (schema === undefined) continue;
      expect(messageTypeOf(schema)).toBe(type);
      expect(messageTypeOf(schema.typeName)).toBe(type);
      expect(schema.typeName).toBe(`dev.restate.service.protocol.${messageTypeName(type)}Message`);
    }
    expect(messageTypeOf(StartMessageSchema)).toBe(0);
    expect(messageTypeOf("dev.restate.service.protocol.Value")).toBeUndefined();
    expect(messageTypeName(0xfc05)).toBe("0xfc05");
  });

  it.each([
    [0x0000, "control"],
    [0x03ff, "control"],
    [0x0400, "command"],
    [0x7fff, "command"],
    [0x8000, "notification"],
    [0xfbff, "notification"],
    [0xfc00, "custom"],
    [0xffff, "custom"],
  ] as const)("puts code %i in its namespace", (type, kind) => {
    expect(messageKindOf(type)).toBe(kind);
  });

  it("allows REQUESTED_ACK on commands, ProposeRunCompletion and custom entries only", () => {
    expect(messageTypeAllowsAck(MessageType.ProposeRunCompletion)).toBe(true);
    expect(messageTypeAllowsAck(MessageType.RunCommand)).toBe(true);
    expect(messageTypeAllowsAck(0xfc00)).toBe(true);
    for (const type of [MessageType.Start, MessageType.End, MessageType.ProposeRunCompletionAck, MessageType.SignalNotification, 0x8011]) {
      expect(messageTypeAllowsAck(type)).toBe(false);
    }
  });

  it("knows which notifications answer which command", () => {
    for (const type of knownMessageTypes()) {
      if (messageKindOf(type) !== "command") continue;
      const answers = completionNotificationTypesOf(type);
      if (type === MessageType.CallCommand) {
        expect(answers).toEqual([0x800e, 0x800d]);
      } else if (type === MessageType.OneWayCallCommand) {
        expect(answers).toEqual([0x800e]);
      } else if (answers.length > 0) {
        // Otherwise 0x8000 + n answers 0x0400 + n.
        expect(answers).toEqual([type - 0x0400 + 0x8000]);
        expect(isKnownMessageType(answers[0] as number)).toBe(true);
      }
    }
    const completable = knownMessageTypes().filter((t) => completionNotificationTypesOf(t).length > 0);
    expect(completable.map((t) => messageTypeName(t))).toEqual([
      "GetLazyStateCommand",
      "GetLazyStateKeysCommand",
      "GetPromiseCommand",
      "PeekPromiseCommand",
      "CompletePromiseCommand",
      "SleepCommand",
      "CallCommand",
      "OneWayCallCommand",
      "RunCommand",
      "AttachInvocationCommand",
      "GetInvocationOutputCommand",
    ]);
    expect(completionNotificationTypesOf(MessageType.InputCommand)).toEqual([]);
    expect(messageTypeOf(RunCommandMessageSchema)).toBe(0x0411);
  });

  it("marks the V7-only control frames", () => {
    expect(messageTypeSinceVersion(MessageType.AwaitingOn)).toBe(7);
    expect(messageTypeSinceVersion(MessageType.ProposeRunCompletionAck)).toBe(7);
    expect(messageTypeSinceVersion(MessageType.Start)).toBe(5);
  });
});
