// Deployment ids (RESTATE-PROTOCOL.md §8.3).
//
//   text => "dp_" "1" b62_22(ulid:u128be)       (26 chars, e.g. dp_11nGQpCRmau6ypL82KH2TnP)

import { decodeBase62, encodeBase62 } from "./base62.js";
import { InvalidIdError } from "./errors.js";
import { newUlid } from "./invocation-id.js";

const PREFIX = "dp_1";
const ULID_BYTES = 16;
/** Length of a deployment id. */
export const DEPLOYMENT_ID_TEXT_LENGTH = PREFIX.length + 22;

/** A new deployment id from a fresh ULID. */
export function newDeploymentId(nowMs?: number): string {
  return formatDeploymentId(newUlid(nowMs));
}

/** `dp_1…` text of a 16-byte ULID. */
export function formatDeploymentId(ulid: Uint8Array): string {
  if (ulid.length !== ULID_BYTES) throw new RangeError(`deployment ulid must be ${ULID_BYTES} bytes, got ${ulid.length}`);
  return PREFIX + encodeBase62(ulid, 0, ULID_BYTES);
}

/** The 16-byte ULID of a `dp_1…` id; throws InvalidIdError when malformed. */
export function parseDeploymentId(text: string): Uint8Array {
  if (typeof text !== "string") throw new InvalidIdError("deployment", String(text), "not a string");
  if (!text.startsWith("dp_")) throw new InvalidIdError("deployment", text, 'missing prefix "dp_"');
  if (text.charCodeAt(3) !== 0x31 /* 1 */) throw new InvalidIdError("deployment", text, "unsupported id version");
  if (text.length !== DEPLOYMENT_ID_TEXT_LENGTH) {
    throw new InvalidIdError("deployment", text, `expected ${DEPLOYMENT_ID_TEXT_LENGTH} characters, got ${text.length}`);
  }
  const ulid = new Uint8Array(ULID_BYTES);
  if (!decodeBase62(text, PREFIX.length, ULID_BYTES, ulid, 0)) {
    throw new InvalidIdError("deployment", text, "not valid base62 of a 16-byte id");
  }
  return ulid;
}
