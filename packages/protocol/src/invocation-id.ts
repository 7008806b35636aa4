// Invocation ids (RESTATE-PROTOCOL.md §8.2).
//
//   raw   => partition_key:u64be invocation_uuid:u128be                    (24 bytes; StartMessage.id)
//   text  => "inv_" "1" b62_11(partition_key) b62_22(invocation_uuid)      (38 chars; debug_id)
//
// b62 is Restate's byte-swapped fixed-width base62 (base62.ts). The uuid is a ULID
// (ms timestamp:u48be ‖ 80 random bits) for ordinary invocations, or the first 16 bytes of a
// SHA-256 over the target for workflow runs and idempotent requests, so that the same target
// always gets the same id:
//
//   workflow    => SHA-256("wf" ["," scope] "," service "," key)
//   idempotent  => SHA-256("ik" ["," scope] "," service ["," key] "," handler "," idempotency_key)

import { createHash, randomFillSync } from "node:crypto";
import { decodeBase62, encodeBase62 } from "./base62.js";
import { INVOCATION_ID_BYTES, INVOCATION_UUID_BYTES, PARTITION_KEY_BYTES } from "./constants.js";
import { InvalidIdError } from "./errors.js";
import { partitionKeyBytes, partitionKeyOf } from "./partition-key.js";

const PREFIX = "inv_1";
/** Length of an invocation id's text form. */
export const INVOCATION_ID_TEXT_LENGTH = PREFIX.length + 11 + 22;

/** `inv_1…` text of a raw 24-byte invocation id. */
export function formatInvocationId(raw: Uint8Array): string {
  if (raw.length !== INVOCATION_ID_BYTES) {
    throw new InvalidIdError("invocation", hex(raw), `raw invocation id must be ${INVOCATION_ID_BYTES} bytes, got ${raw.length}`);
  }
  return PREFIX + encodeBase62(raw, 0, PARTITION_KEY_BYTES) + encodeBase62(raw, PARTITION_KEY_BYTES, INVOCATION_UUID_BYTES);
}

/** Raw 24 bytes of an `inv_1…` id; throws InvalidIdError when the text is not one. */
export function parseInvocationId(text: string): Uint8Array {
  if (typeof text !== "string") throw new InvalidIdError("invocation", String(text), "not a string");
  if (!text.startsWith("inv_")) throw new InvalidIdError("invocation", text, 'missing prefix "inv_"');
  if (text.charCodeAt(4) !== 0x31 /* 1 */) throw new InvalidIdError("invocation", text, "unsupported id version");
  if (text.length !== INVOCATION_ID_TEXT_LENGTH) {
    throw new InvalidIdError("invocation", text, `expected ${INVOCATION_ID_TEXT_LENGTH} characters, got ${text.length}`);
  }
  const raw = new Uint8Array(INVOCATION_ID_BYTES);
  if (
    !decodeBase62(text, PREFIX.length, PARTITION_KEY_BYTES, raw, 0) ||
    !decodeBase62(text, PREFIX.length + 11, INVOCATION_UUID_BYTES, raw, PARTITION_KEY_BYTES)
  ) {
    throw new InvalidIdError("invocation", text, "not valid base62 of a partition key and a uuid");
  }
  return raw;
}

/** Whether `text` is a well-formed `inv_1…` id. */
export function isInvocationId(text: string): boolean {
  try {
    parseInvocationId(text);
    return true;
  } catch {
    return false;
  }
}

/** The partition key (first 8 bytes, big-endian) of a raw invocation id. */
export function invocationIdPartitionKey(raw: Uint8Array): bigint {
  if (raw.length !== INVOCATION_ID_BYTES) {
    throw new InvalidIdError("invocation", hex(raw), `raw invocation id must be ${INVOCATION_ID_BYTES} bytes, got ${raw.length}`);
  }
  return new DataView(raw.buffer, raw.byteOffset, PARTITION_KEY_BYTES).getBigUint64(0, false);
}

/** The raw id made of a partition key and a 16-byte uuid. */
export function makeInvocationId(partitionKey: bigint, uuid: Uint8Array): Uint8Array {
  if (uuid.length !== INVOCATION_UUID_BYTES) throw new RangeError(`invocation uuid must be ${INVOCATION_UUID_BYTES} bytes, got ${uuid.length}`);
  const raw = new Uint8Array(INVOCATION_ID_BYTES);
  raw.set(partitionKeyBytes(partitionKey), 0);
  raw.set(uuid, PARTITION_KEY_BYTES);
  return raw;
}

export interface NewInvocationIdOptions {
  /** Virtual-object or workflow key: the partition key is then `partitionKeyOf(key)`. */
  readonly key?: string;
  /** Idempotency key of a plain-service invocation: hashed like a key when `key` is absent. */
  readonly idempotencyKey?: string;
  /** The uuid half (see workflowInvocationUuid / idempotentInvocationUuid); a fresh ULID by default. */
  readonly uuid?: Uint8Array;
  /** Clock of the ULID in ms since the epoch; Date.now() by default. */
  readonly nowMs?: number;
}

/**
 * A new raw invocation id. Keyed targets (and idempotent plain calls) get the hashed partition
 * key, so every invocation of one key lands on one partition; plain invocations get a random one.
 */
export function newInvocationId(options: NewInvocationIdOptions = {}): Uint8Array {
  const hashed = options.key ?? options.idempotencyKey;
  const partitionKey = hashed !== undefined ? partitionKeyOf(hashed) : randomU64();
  return makeInvocationId(partitionKey, options.uuid ?? newUlid(options.nowMs));
}

/** A ULID as 16 bytes: u48 big-endian ms timestamp ‖ 80 random bits. */
export function newUlid(nowMs: number = Date.now()): Uint8Array {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs > 0xffff_ffff_ffff) {
    throw new RangeError(`ULID time must be a u48 of milliseconds, got ${nowMs}`);
  }
  const ulid = new Uint8Array(16);
  takeRandom(ulid, 6, 10);
  const high = Math.floor(nowMs / 0x1_0000_0000);
  const low = nowMs >>> 0;
  ulid[0] = (high >>> 8) & 0xff;
  ulid[1] = high & 0xff;
  ulid[2] = low >>> 24;
  ulid[3] = (low >>> 16) & 0xff;
  ulid[4] = (low >>> 8) & 0xff;
  ulid[5] = low & 0xff;
  return ulid;
}

export interface WorkflowTargetId {
  readonly service: string;
  readonly key: string;
  readonly scope?: string;
}

/** The deterministic uuid of a workflow's `run` invocation for one key. */
export function workflowInvocationUuid(target: WorkflowTargetId): Uint8Array {
  const parts = ["wf"];
  if (target.scope !== undefined) parts.push(target.scope);
  parts.push(target.service, target.key);
  return sha256Prefix(parts);
}

export interface IdempotentTargetId {
  readonly service: string;
  /** Object / workflow key; absent for plain services. */
  readonly key?: string;
  readonly handler: string;
  readonly idempotencyKey: string;
  readonly scope?: string;
}

/** The deterministic uuid of an idempotent request. */
export function idempotentInvocationUuid(target: IdempotentTargetId): Uint8Array {
  const parts = ["ik"];
  if (target.scope !== undefined) parts.push(target.scope);
  parts.push(target.service);
  if (target.key !== undefined) parts.push(target.key);
  parts.push(target.handler, target.idempotencyKey);
  return sha256Prefix(parts);
}

function sha256Prefix(parts: readonly string[]): Uint8Array {
  const digest = createHash("sha256").update(parts.join(","), "utf8").digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, INVOCATION_UUID_BYTES).slice();
}

// Random bytes come from a pool refilled by one randomFillSync per RANDOM_POOL_BYTES, not one
// syscall-backed call per id: minting an id is on the ingress hot path. Bytes are never reused.
const RANDOM_POOL_BYTES = 4096;
const randomPool = new Uint8Array(RANDOM_POOL_BYTES);
const randomPoolView = new DataView(randomPool.buffer);
let randomPoolUsed = RANDOM_POOL_BYTES;

function reserveRandom(length: number): number {
  if (randomPoolUsed + length > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolUsed = 0;
  }
  const at = randomPoolUsed;
  randomPoolUsed += length;
  return at;
}

function takeRandom(into: Uint8Array, offset: number, length: number): void {
  const at = reserveRandom(length);
  into.set(randomPool.subarray(at, at + length), offset);
}

function randomU64(): bigint {
  return randomPoolView.getBigUint64(reserveRandom(8), false);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
