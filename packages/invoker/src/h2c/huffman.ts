// The HPACK Huffman code (RFC 7541 §5.2, Appendix B): decoding of Huffman-coded header strings,
// and an encoder used by the tests to check the table.
//
// The code of Appendix B is canonical: within one length, codes increase with the symbol, and the
// first code of length L+1 is (last code of length L + 1) << 1. So the 257 code lengths below are
// the whole table; `codes` is derived from them at load, and the assertions at the bottom check
// that the lengths form a complete prefix code (Kraft sum exactly 1) and pin a few codes of the
// RFC's table.
//
//   HuffmanString => code(sym)* padding       padding = 0..7 most-significant bits of EOS (all 1s)

/** Symbols of each code length of Appendix B (EOS = 256). */
const symbolsByLength: readonly (readonly [number, readonly (number | string)[]])[] = [
  [5, ["0", "1", "2", "a", "c", "e", "i", "o", "s", "t"]],
  [6, [" ", "%", "-", ".", "/", "3", "4", "5", "6", "7", "8", "9", "=", "A", "_", "b", "d", "f", "g", "h", "l", "m", "n", "p", "r", "u"]],
  [7, [":", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "Y", "j", "k", "q", "v", "w", "x", "y", "z"]],
  [8, ["&", "*", ",", ";", "X", "Z"]],
  [10, ["!", '"', "(", ")", "?"]],
  [11, ["'", "+", "|"]],
  [12, ["#", ">"]],
  [13, [0, "$", "@", "[", "]", "~"]],
  [14, ["^", "}"]],
  [15, ["<", "`", "{"]],
  [19, ["\\", 195, 208]],
  [20, [128, 130, 131, 162, 184, 194, 224, 226]],
  [21, [153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230]],
  [22, [129, 132, 133, 134, 136, 146, 154, 156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232, 233]],
  [23, [1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158, 165, 166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239]],
  [24, [9, 142, 144, 145, 148, 159, 171, 206, 215, 225, 236, 237]],
  [25, [199, 207, 234, 235]],
  [26, [192, 193, 200, 201, 202, 205, 210, 213, 218, 219, 238, 240, 242, 243, 255]],
  [27, [203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245, 246, 247, 248, 250, 251, 252, 253, 254]],
  [28, [2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127, 220, 249]],
  [30, [10, 13, 22, 256]],
];

const eos = 256;
const lengthMax = 30;

/** Code length of each symbol 0..256. */
export const codeLengths = new Uint8Array(257);
/** Code of each symbol 0..256, right-aligned in `codeLengths[sym]` bits. */
export const codes = new Uint32Array(257);
/** Canonical decoding: per length, the first code, and the index of its symbol in `sortedSymbols`. */
const firstCode = new Int32Array(lengthMax + 2);
const firstIndex = new Int32Array(lengthMax + 2);
const countOfLength = new Int32Array(lengthMax + 2);
const sortedSymbols = new Uint16Array(257);

{
  let code = 0;
  let previousLength = 0;
  let index = 0;
  for (const [length, symbols] of symbolsByLength) {
    code <<= length - previousLength;
    previousLength = length;
    firstCode[length] = code;
    firstIndex[length] = index;
    countOfLength[length] = symbols.length;
    for (const s of symbols) {
      const symbol = typeof s === "string" ? s.charCodeAt(0) : s;
      if (codeLengths[symbol] !== 0) throw new Error(`huffman table lists symbol ${symbol} twice`);
      codeLengths[symbol] = length;
      codes[symbol] = code;
      sortedSymbols[index] = symbol;
      code += 1;
      index += 1;
    }
  }
  if (index !== 257) throw new Error(`huffman table has ${index} symbols, expected 257`);
  // A complete prefix code: the last code of the longest length is all ones.
  if (code !== 2 ** lengthMax) throw new Error("huffman code lengths do not form a complete prefix code");
  // Spot checks against the RFC's table.
  if (codes[0] !== 0x1ff8 || codes[1] !== 0x7fffd8 || codes[9] !== 0xffffea || codes[eos] !== 0x3fffffff || codes[32] !== 0x14) {
    throw new Error("huffman table does not match RFC 7541 Appendix B");
  }
}

/** Thrown for a Huffman string that is not valid (RFC 7541 §5.2): EOS inside, or bad padding. */
export class HuffmanDecodeError extends Error {}

/**
 * Decodes `bytes[start, end)` into latin1 text (header octets map 1:1 to chars). `scratch` must
 * hold at least (end - start) * 8 / 5 bytes (the shortest code is 5 bits).
 */
export function huffmanDecode(bytes: Uint8Array, start: number, end: number, scratch: Buffer): string {
  let out = 0;
  let code = 0;
  let length = 0;
  let ones = true; // whether the pending bits are all 1s (valid padding)
  for (let i = start; i < end; i++) {
    const byte = bytes[i] ?? 0;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      code = code * 2 + b;
      length += 1;
      if (b === 0) ones = false;
      const offset = code - (firstCode[length] ?? 0);
      if (offset >= 0 && offset < (countOfLength[length] ?? 0)) {
        const symbol = sortedSymbols[(firstIndex[length] ?? 0) + offset] ?? 0;
        if (symbol === eos) throw new HuffmanDecodeError("EOS inside a Huffman-coded string");
        scratch[out++] = symbol;
        code = 0;
        length = 0;
        ones = true;
      } else if (length >= lengthMax) {
        throw new HuffmanDecodeError("invalid Huffman code");
      }
    }
  }
  if (length > 7) throw new HuffmanDecodeError("Huffman padding longer than 7 bits");
  if (!ones) throw new HuffmanDecodeError("Huffman padding is not the EOS prefix");
  return scratch.toString("latin1", 0, out);
}

/** Encodes latin1 text with the Huffman code (padding with EOS 1-bits). */
export function huffmanEncode(text: string): Buffer {
  let bits = 0;
  for (let i = 0; i < text.length; i++) bits += codeLengths[text.charCodeAt(i) & 0xff] ?? 0;
  const out = Buffer.alloc(Math.ceil(bits / 8));
  let acc = 0;
  let accBits = 0;
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i) & 0xff;
    const length = codeLengths[symbol] ?? 0;
    const code = codes[symbol] ?? 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      acc = (acc << 1) | ((code >>> bit) & 1);
      accBits += 1;
      if (accBits === 8) {
        out[pos++] = acc;
        acc = 0;
        accBits = 0;
      }
    }
  }
  if (accBits > 0) out[pos] = ((acc << (8 - accBits)) | (0xff >> accBits)) & 0xff;
  return out;
}
