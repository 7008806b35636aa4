// The partition an invocation runs on, read from its id, so a test can prove that a call
// crossed partitions using nothing but public HTTP answers.
//
// Grammar (RESTATE-PROTOCOL.md §8.2):
//   InvocationId => "inv_1" pk:b62(11) uuid:b62(22)
//   b62(w)       => w chars of 0-9a-zA-Z, most significant first, encoding the integer whose
//                   little-endian bytes are the value's big-endian bytes (a byte swap).
// Partition i of N owns partition keys [i·2^64/N, (i+1)·2^64/N) on Restate and on Cairn.
import { InvalidInvocationIdError } from "./errors.js";

const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const keySpace = 1n << 64n;
const idPattern = /^inv_1[0-9a-zA-Z]{33}$/;

function byteSwap64(value: bigint): bigint {
  let swapped = 0n;
  for (let i = 0; i < 8; i++) swapped = (swapped << 8n) | ((value >> BigInt(8 * i)) & 0xffn);
  return swapped;
}

/** The u64 partition key carried in an `inv_1…` id. */
export function partitionKeyOfInvocationId(id: string): bigint {
  if (!idPattern.test(id)) throw new InvalidInvocationIdError(id);
  let encoded = 0n;
  for (const char of id.slice(5, 16)) encoded = encoded * 62n + BigInt(alphabet.indexOf(char));
  if (encoded >= keySpace) throw new InvalidInvocationIdError(id);
  return byteSwap64(encoded);
}

/** The partition (0-based) that owns `partitionKey` out of `partitionCount`. */
export function partitionOfKey(partitionKey: bigint, partitionCount: number): number {
  if (partitionKey < 0n || partitionKey >= keySpace) throw new RangeError(`partition key out of range: ${partitionKey}`);
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new RangeError(`bad partition count: ${partitionCount}`);
  return Number((partitionKey * BigInt(partitionCount)) >> 64n);
}

/** The partition of the invocation `id` out of `partitionCount`. */
export function partitionOfInvocationId(id: string, partitionCount: number): number {
  return partitionOfKey(partitionKeyOfInvocationId(id), partitionCount);
}
