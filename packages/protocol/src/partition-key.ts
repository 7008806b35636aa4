// Partition keys of keyed targets (RESTATE-PROTOCOL.md §8.2).
//
//   partitionKey(key) => xxh3_64(utf8(key) ‖ 0xFF)      seed 0, as a u64
//
// That is Rust's `Hash for str` (the bytes, then a 0xFF terminator) fed to a default XXH3-64
// hasher, which is how Restate spreads virtual-object and workflow keys (and idempotency keys of
// plain services) over partitions; test/fixtures/v7/ids.json holds values observed on
// restate-server.
//
// The native hasher (@node-rs/xxhash) is loaded on first use, not at import: SDK and client code
// that import this package never hash keys and so never need the native binary.

import { createRequire } from "node:module";
import type * as XxHash from "@node-rs/xxhash";
import { PARTITION_KEY_BYTES } from "./constants.js";
import { HasherUnavailableError } from "./errors.js";

type Xxh3 = (typeof XxHash)["xxh3"];

let xxh3: Xxh3 | undefined;

function hasher(): Xxh3 {
  if (xxh3 === undefined) {
    try {
      const require = createRequire(import.meta.url);
      xxh3 = (require("@node-rs/xxhash") as typeof XxHash).xxh3;
    } catch (error) {
      throw new HasherUnavailableError(error);
    }
  }
  return xxh3;
}

/** The partition key Restate derives from a virtual-object / workflow key or an idempotency key. */
export function partitionKeyOf(key: string): bigint {
  const length = Buffer.byteLength(key, "utf8");
  const input = Buffer.allocUnsafe(length + 1);
  input.write(key, 0, length, "utf8");
  input[length] = 0xff;
  return hasher().xxh64(input);
}

/** A partition key as the 8 big-endian bytes that open a raw invocation id. */
export function partitionKeyBytes(partitionKey: bigint): Uint8Array {
  if (partitionKey < 0n || partitionKey > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`partition key must be a u64, got ${partitionKey}`);
  }
  const bytes = new Uint8Array(PARTITION_KEY_BYTES);
  new DataView(bytes.buffer).setBigUint64(0, partitionKey, false);
  return bytes;
}
