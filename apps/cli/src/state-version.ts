// The version of an object key's state, as `POST /services/{name}/state` compares it: when the
// request carries `version` and the key's state at apply time has another one, the server drops
// the write (it still answers 202). restate-server computes it this way, and so does Cairn.
//
//   version => base64url( sha256( for each entry, sorted by key bytes, i = 0, 1, …:
//                 i:u64be 0x01 key:bytes 0x02 value:bytes 0x03 ) )

import { createHash } from "node:crypto";

export function stateVersion(state: ReadonlyMap<string, Buffer>): string {
  const entries = [...state].map(([key, value]) => ({ key: Buffer.from(key, "utf8"), value }));
  entries.sort((a, b) => Buffer.compare(a.key, b.key));
  const hash = createHash("sha256");
  const index = Buffer.alloc(8);
  entries.forEach((entry, i) => {
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
