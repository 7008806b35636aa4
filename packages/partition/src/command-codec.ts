// The commands written to a partition's log, and their msgpack encoding.
//
// A log record's payload is one Command, msgpack-encoded as a map whose `k` field names the variant.
// Time and randomness enter only as values inside commands (`now`, ids minted by the main thread),
// so applying the same log yields the same store (D3).
//
//   Command  => Invoke | Journal | Fail | Pause | Timer | Deliver | OutboxAck | Signal | State
//   Invoke   => { k:"inv", now:ms, inv:NewInvocation }                  an ingress request
//   Journal  => { k:"jrn", now:ms, id, pin?:[deploymentId, version], e:Entry[], end?:true, susp?:bytes }
//                                                                        what one chunk of an attempt carried
//   Entry    => [type:u16, payload:bytes, ack:0|1, target?:Target]     a journal entry (command or
//                                                                        RunCompletion from a proposal;
//                                                                        ack=1: answer with ProposeRunCompletionAck)
//   Target   => { sty:ServiceType, hty:HandlerType|null, ret?:ms } | { err:string }
//                                                                        Call/OneWayCall targets resolved
//                                                                        against the schema before logging;
//                                                                        ret: completion retention of a
//                                                                        workflow run / idempotent callee
//   Fail     => { k:"fail", now, id, code:u16, msg:string }            end an invocation with a failure
//   Pause    => { k:"pause", now, id, code:u16, msg:string }           stop retrying until resumed
//   Timer    => { k:"tmr", now, seq }                                  a durable timer fired
//   Deliver  => { k:"dlv", now, from:partition, seq, wm, msg:OutboxPayload }
//                                                                        a message from another partition's outbox;
//                                                                        wm: every seq < wm of `from` is acknowledged
//   OutboxAck=> { k:"ack", seqs:u64[] }                                 outbox messages the receiver made durable
//   Signal   => { k:"sig", now, sig:SignalPayload }                     a signal from the ingress (awakeable
//                                                                        resolve/reject) for an invocation here
//   State    => { k:"st", now, svc, key, kv:[[k:bytes, v:bytes]…], ver?:string }
//                                                                        replace a key's whole state (admin);
//                                                                        skipped if the key is locked or ver is stale
//
//   NewInvocation => { id, svc, hnd, key?, sty, hty, hdrs:[[k,v]…], body:bytes, at?:ms, ik?:string,
//                      tp?:string, ts?:string, by:Origin, ret?:ms }
//                                                                        ret: how long the completed result is
//                                                                        kept (workflow / idempotency retention)
//   Origin   => { t:"ingress" } | { t:"call", id:callerId, p:callerPartition, cid:u32 } | { t:"send", id:callerId }
//   OutboxPayload => { t:"inv", inv:NewInvocation }
//                  | { t:"cmp", id, cid:u32, ty?:u16, ok?:bytes, fail?:Failure, void?:true }
//                                                                        a completion for invocation `id`; ty: the
//                                                                        notification type (default CallCompletion)
//                  | { t:"sig", sig:SignalPayload }                    SendSignal / CompleteAwakeable to another partition
//                  | { t:"att", tid, id, p:u32, cid:u32, ty:u16, wait:bool }
//                                                                        AttachInvocation (wait) / GetInvocationOutput
//                                                                        of `tid` for invocation `id` of partition `p`
//   SignalPayload => { id, idx?:u32, name?:string, ok?:bytes, fail?:Failure }
//                                                                        exactly one of idx/name; neither ok nor fail = void
//   Failure  => { code:u16, msg:string, meta?:[[k,v]…] }
import { Packr } from "msgpackr";
import type { HandlerType, ServiceType } from "./contract.js";
import { CommandDecodeError } from "./errors.js";

export type Origin = { t: "ingress" } | { t: "call"; id: string; p: number; cid: number } | { t: "send"; id: string };

export interface NewInvocation {
  id: string;
  svc: string;
  hnd: string;
  key?: string;
  sty: ServiceType;
  hty: HandlerType | null;
  hdrs: [string, string][];
  body: Uint8Array;
  /** Absolute start time of a delayed invocation (epoch ms). */
  at?: number;
  ik?: string;
  tp?: string;
  ts?: string;
  by: Origin;
  /** Completion retention (ms) of a workflow run or idempotent invocation; absent: the default. */
  ret?: number;
}

export type EntryTarget = { sty: ServiceType; hty: HandlerType | null; ret?: number } | { err: string };
export type Entry = [type: number, payload: Uint8Array, ack: 0 | 1, target?: EntryTarget];

export interface WireFailure {
  code: number;
  msg: string;
  meta?: [string, string][];
}

/** A signal for invocation `id`: exactly one of `idx`/`name`; neither `ok` nor `fail` means void (cancel). */
export interface SignalPayload {
  id: string;
  idx?: number;
  name?: string;
  ok?: Uint8Array;
  fail?: WireFailure;
}

export type OutboxPayload =
  | { t: "inv"; inv: NewInvocation }
  | { t: "cmp"; id: string; cid: number; ty?: number; ok?: Uint8Array; fail?: WireFailure; void?: true }
  | { t: "sig"; sig: SignalPayload }
  | { t: "att"; tid: string; id: string; p: number; cid: number; ty: number; wait: boolean };

export type Command =
  | { k: "inv"; now: number; inv: NewInvocation }
  | { k: "jrn"; now: number; id: string; pin?: [string, number]; e: Entry[]; end?: true; susp?: Uint8Array }
  | { k: "fail"; now: number; id: string; code: number; msg: string }
  | { k: "pause"; now: number; id: string; code: number; msg: string }
  | { k: "tmr"; now: number; seq: number }
  | { k: "dlv"; now: number; from: number; seq: number; wm: number; msg: OutboxPayload }
  | { k: "ack"; seqs: number[] }
  | { k: "sig"; now: number; sig: SignalPayload }
  | { k: "st"; now: number; svc: string; key: string; kv: [Uint8Array, Uint8Array][]; ver?: string };

// Plain maps, no shared record structures: every record must decode on its own, years later.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

const kinds = new Set(["inv", "jrn", "fail", "pause", "tmr", "dlv", "ack", "sig", "st"]);

export function encodeCommand(command: Command): Uint8Array {
  return packr.pack(command);
}

export function decodeCommand(bytes: Uint8Array): Command {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (error) {
    throw new CommandDecodeError(`log record is not msgpack: ${String(error)}`);
  }
  if (typeof value !== "object" || value === null || !kinds.has((value as { k?: unknown }).k as string)) {
    throw new CommandDecodeError("log record is not a partition command");
  }
  return value as Command;
}

/** Outbox payloads travel inside OutboxMessage.payload with the sender's low watermark. */
export interface OutboxEnvelope {
  wm: number;
  msg: OutboxPayload;
}

export function encodeOutboxEnvelope(envelope: OutboxEnvelope): Uint8Array {
  return packr.pack(envelope);
}

export function decodeOutboxEnvelope(bytes: Uint8Array): OutboxEnvelope {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (error) {
    throw new CommandDecodeError(`outbox payload is not msgpack: ${String(error)}`);
  }
  const envelope = value as Partial<OutboxEnvelope>;
  if (typeof envelope.wm !== "number" || typeof envelope.msg !== "object" || envelope.msg === null) {
    throw new CommandDecodeError("outbox payload is not an envelope");
  }
  return envelope as OutboxEnvelope;
}
