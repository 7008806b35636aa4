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

/** Scratch for encodeBase62: the integer in 32-bit limbs, most significant first (ids are ≤ 16 bytes). */
const limbScratch = new Uint32Array(8);
/** 62³: three digits per division step; a remainder (< 62³) times 2³² stays below 2⁵³. */
const cube = 62 * 62 * 62;

/**
 * Encodes `bytes[start, start+count)` (big-endian id bytes) in Restate's base62: long division by
 * 62³ over 32-bit limbs in plain numbers (a BigInt per digit cost several µs per id).
 */
export function encodeBase62(bytes: Uint8Array, start: number, count: number): string {
  const limbCount = (count + 3) >>> 2;
  const limbs = limbCount <= limbScratch.length ? limbScratch : new Uint32Array(limbCount);
  // Little-endian read: byte i weighs 256^i; limb 0 (most significant) holds the highest bytes.
  for (let l = 0; l < limbCount; l++) {
    let limb = 0;
    for (let k = 3; k >= 0; k--) {
      const i = (limbCount - 1 - l) * 4 + k;
      limb = limb * 256 + (i < count ? (bytes[start + i] as number) : 0);
    }
    limbs[l] = limb;
  }
  const width = base62Width(count);
  let out = "";
  let produced = 0;
  let first = 0; // limbs before `first` are zero
  while (produced < width) {
    let rem = 0;
    for (let l = first; l < limbCount; l++) {
      const current = rem * 4294967296 + (limbs[l] as number);
      const quotient = Math.floor(current / cube);
      limbs[l] = quotient;
      rem = current - quotient * cube;
    }
    while (first < limbCount && limbs[first] === 0) first++;
    for (let d = 0; d < 3 && produced < width; d++, produced++) {
      const next = Math.floor(rem / 62);
      out = ALPHABET[rem - next * 62] + out;
      rem = next;
    }
  }
  return out;
}

/**
 * Decodes `text[start, start + base62Width(count))` into `target[offset, offset+count)`.
 * Returns false (writing nothing useful) if a character is outside the alphabet or the value
 * does not fit in `count` bytes. Multiply-and-add by 62 over the target bytes (little-endian
 * limbs, as the id bytes are the integer byte-swapped).
 */
export function decodeBase62(text: string, start: number, count: number, target: Uint8Array, offset: number): boolean {
  const width = base62Width(count);
  if (text.length - start < width) return false;
  target.fill(0, offset, offset + count);
  for (let i = 0; i < width; i++) {
    const code = text.charCodeAt(start + i);
    const digit = code < 128 ? (DIGIT_OF[code] as number) : -1;
    if (digit < 0) return false;
    let carry = digit;
    for (let j = offset; j < offset + count; j++) {
      const value = (target[j] as number) * 62 + carry;
      target[j] = value & 0xff;
      carry = value >>> 8;
    }
    if (carry !== 0) return false; // over count bytes
  }
  return true;
}
