// The partition key of an idempotent request to a plain (unkeyed) service, as restate-server 1.7
// derives it with its controlled idempotent sharding (observed on 1.7.12, see the e2e suite):
//
//   bucket       = xxh3_64(utf8(idempotencyKey) ‖ 0xFF) mod 512
//   partitionKey = xxh3_64(utf8(service) ‖ 0xFF ‖ "unscoped/service" ‖ 0xFF ‖ u64le(bucket))
//
// (Rust's `Hash` of the tuple (service, "unscoped/service", bucket) fed to a default XXH3-64.)
// A plain service's idempotent requests thus spread over at most 512 partition keys per
// service, and the same (service, idempotency key) always lands on the same partition, which
// is what lets that partition deduplicate it. Keyed targets hash their key instead
// (`partitionKeyOf(key)` of @cairn/protocol).
import { createRequire } from "node:module";
import type * as XxHash from "@node-rs/xxhash";
import { idempotencyBucketsPerService } from "./constants.js";

type Xxh3 = (typeof XxHash)["xxh3"];
let xxh3: Xxh3 | undefined;

/** Loaded on first use: code that never mints idempotent ids never needs the native hasher. */
function hasher(): Xxh3 {
  xxh3 ??= (createRequire(import.meta.url)("@node-rs/xxhash") as typeof XxHash).xxh3;
  return xxh3;
}

const unscopedServiceTag = "unscoped/service";

function terminated(text: string): Buffer {
  const length = Buffer.byteLength(text, "utf8");
  const bytes = Buffer.allocUnsafe(length + 1);
  bytes.write(text, 0, length, "utf8");
  bytes[length] = 0xff;
  return bytes;
}

/** The partition key of an idempotent request to plain service `service` (see the grammar above). */
export function idempotentServicePartitionKey(service: string, idempotencyKey: string): bigint {
  const bucket = hasher().xxh64(terminated(idempotencyKey)) % BigInt(idempotencyBucketsPerService);
  const bucketBytes = Buffer.alloc(8);
  bucketBytes.writeBigUInt64LE(bucket);
  return hasher().xxh64(Buffer.concat([terminated(service), terminated(unscopedServiceTag), bucketBytes]));
}
