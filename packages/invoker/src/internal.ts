// Test-only access to @cairn/invoker internals; never re-exported from index.ts.
export { HpackDecoder, HpackError, encodeHeaderBlock, staticTable } from "./h2c/hpack.js";
export { huffmanDecode, huffmanEncode, codeLengths, codes, HuffmanDecodeError } from "./h2c/huffman.js";
export {
  ErrorCode,
  FrameFlag,
  FrameParser,
  FrameSizeError,
  FrameType,
  Setting,
  connectionPreface,
  frameHeader,
  goawayFrame,
  headersFrames,
  pingFrame,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
} from "./h2c/frame-codec.js";
export type { FrameSink } from "./h2c/frame-codec.js";
