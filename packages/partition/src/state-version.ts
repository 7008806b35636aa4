// The version of a key's state that `POST /services/{name}/state` compares against: Restate's
// StateMutationVersion, so a version computed by Restate's CLI (`restate kv edit`) matches.
//
//   version => base64url( sha256( for each entry, sorted by key bytes, i = 0, 1, …:
//                 i:u64be 0x01 key:bytes 0x02 value:bytes 0x03 ) )
//
// Compared without the base64 padding, which encoders differ on.

import { createHash } from "node:crypto";

export interface StateEntryRow {
  key: Uint8Array;
  value: Uint8Array;
}

export function stateVersion(entries: readonly StateEntryRow[]): string {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const hash = createHash("sha256");
  const index = Buffer.alloc(8);
  sorted.forEach((entry, i) => {
    index.writeBigUInt64BE(BigInt(i));
    hash.update(index);
    hash.update(Buffer.of(0x01));
    hash.update(entry.key);
    hash.update(Buffer.of(0x02));
    hash.update(entry.value);
    hash.update(Buffer.of(0x03));
  });
  return hash.digest("base64url");
}

export function sameStateVersion(a: string, b: string): boolean {
  return a.replace(/=+$/, "") === b.replace(/=+$/, "");
}
