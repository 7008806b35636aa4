// Test and benchmark access to internals. Not re-exported from index.ts; not part of the API.
export { openLogWithStorage } from "./log.js";
export { nodeStorage } from "./storage.js";
export type { IoCallback, LogStorage, OpenMode, WriteCallback } from "./storage.js";
export { crc32c, crc32cUpdate } from "./crc32c.js";
export { decodeFrame, encodeFrame, frameBytes, frameOk, frameIncomplete, frameBadChecksum } from "./record-codec.js";
export type { FrameView } from "./record-codec.js";
export { chunkFileName, decodeChunkHeader, encodeChunkHeader, parseChunkFileName } from "./chunk-codec.js";
export { decodeMeta, encodeMeta } from "./meta-codec.js";
export type { LogMeta } from "./meta-codec.js";
export { metaFileName, metaTempFileName } from "./meta-store.js";
export { resolveLogOptions } from "./options.js";
export { Chunk, findChunkIndex } from "./chunk.js";
export { Fifo } from "./fifo.js";
export { LsnWaiters } from "./lsn-waiters.js";
export type { Waiter } from "./lsn-waiters.js";
