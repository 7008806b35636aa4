// Awakeable ids (RESTATE-PROTOCOL.md §8.4).
//
//   text    => "sign_1" base64url_nopad(invocation_id:24 bytes ‖ signal_index:u32be)    (44 chars)
//   legacy  => "prom_1" base64url(invocation_id:24 bytes ‖ entry_index:u32be)            (V1-V3 journals)
//
// SDKs derive the id from the raw StartMessage.id, so the server decodes it back to the
// invocation (raw id) and the signal index to append SignalNotification{idx} to. Padded and
// unpadded spellings are both accepted on parse.

import { decodeBase64Url, encodeBase64Url } from "./base64url.js";
import { INVOCATION_ID_BYTES } from "./constants.js";
import { InvalidIdError } from "./errors.js";

const SIGNAL_PREFIX = "sign_1";
const LEGACY_PREFIX = "prom_1";
const PAYLOAD_BYTES = INVOCATION_ID_BYTES + 4;

export type ParsedAwakeableId =
  | {
      readonly kind: "signal";
      /** Raw 24-byte invocation id. */
      readonly invocationId: Uint8Array;
      readonly signalIndex: number;
    }
  | {
      readonly kind: "legacy";
      readonly invocationId: Uint8Array;
      /** Journal entry index of a V1-V3 awakeable entry. */
      readonly entryIndex: number;
    };

/** `sign_1…` id of the awakeable with `signalIndex` in the invocation with raw id `invocationId`. */
export function formatAwakeableId(invocationId: Uint8Array, signalIndex: number): string {
  if (invocationId.length !== INVOCATION_ID_BYTES) {
    throw new RangeError(`raw invocation id must be ${INVOCATION_ID_BYTES} bytes, got ${invocationId.length}`);
  }
  if (!Number.isInteger(signalIndex) || signalIndex < 0 || signalIndex > 0xffff_ffff) {
    throw new RangeError(`signal index must be a u32, got ${signalIndex}`);
  }
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload.set(invocationId, 0);
  new DataView(payload.buffer).setUint32(INVOCATION_ID_BYTES, signalIndex, false);
  return SIGNAL_PREFIX + encodeBase64Url(payload);
}

/** Parses `sign_1…` (or legacy `prom_1…`); throws InvalidIdError when malformed. */
export function parseAwakeableId(text: string): ParsedAwakeableId {
  if (typeof text !== "string") throw new InvalidIdError("awakeable", String(text), "not a string");
  const legacy = text.startsWith(LEGACY_PREFIX);
  if (!legacy && !text.startsWith(SIGNAL_PREFIX)) {
    throw new InvalidIdError("awakeable", text, `expected prefix "${SIGNAL_PREFIX}" (or legacy "${LEGACY_PREFIX}")`);
  }
  const payload = decodeBase64Url(text.slice(SIGNAL_PREFIX.length));
  if (payload === undefined) throw new InvalidIdError("awakeable", text, "not canonical base64url");
  if (payload.length !== PAYLOAD_BYTES) {
    throw new InvalidIdError("awakeable", text, `expected ${PAYLOAD_BYTES} bytes, got ${payload.length}`);
  }
  const invocationId = payload.slice(0, INVOCATION_ID_BYTES);
  const index = new DataView(payload.buffer, payload.byteOffset).getUint32(INVOCATION_ID_BYTES, false);
  return legacy
    ? { kind: "legacy", invocationId, entryIndex: index }
    : { kind: "signal", invocationId, signalIndex: index };
}
