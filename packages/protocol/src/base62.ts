// Restate's fixed-width base62 for identifiers (RESTATE-PROTOCOL.md §8.1).
//
//   alphabet  => "0-9" "a-z" "A-Z"   (digit value = index; most significant digit first)
//   width     => 11 chars for a u64, 22 chars for a u128, left-padded with '0'
//   integer   => the id's big-endian bytes read as a LITTLE-endian integer: Restate encodes
//                `i.to_be()` on a little-endian host, i.e. the value byte-swapped.

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT_OF[ALPHABET.charCodeAt(i)] = i;

/** Characters needed for `byteCount` bytes: 11 for 8, 22 for 16. */
export function base62Width(byteCount: number): number {
  return Math.ceil((byteCount * 8) / Math.log2(62));
}

/** Encodes `bytes[start, start+count)` (big-endian id bytes) in Restate's base62. */
export function encodeBase62(bytes: Uint8Array, start: number, count: number): string {
  let value = 0n;
  // Little-endian read: the last byte is the most significant.
  for (let i = count - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[start + i] as number);
  const width = base62Width(count);
  const out = new Array<string>(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = ALPHABET[Number(value % 62n)] as string;
    value /= 62n;
  }
  return out.join("");
}

/**
 * Decodes `text[start, start + base62Width(count))` into `target[offset, offset+count)`.
 * Returns false (writing nothing useful) if a character is outside the alphabet or the value
 * does not fit in `count` bytes.
 */
export function decodeBase62(text: string, start: number, count: number, target: Uint8Array, offset: number): boolean {
  const width = base62Width(count);
  if (text.length - start < width) return false;
  let value = 0n;
  for (let i = 0; i < width; i++) {
    const code = text.charCodeAt(start + i);
    const digit = code < 128 ? (DIGIT_OF[code] as number) : -1;
    if (digit < 0) return false;
    value = value * 62n + BigInt(digit);
  }
  if (value >> BigInt(count * 8) !== 0n) return false;
  for (let i = 0; i < count; i++) {
    target[offset + i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return true;
}
