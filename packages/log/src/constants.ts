// Limits and defaults of @cairn/log, one place for every bound (D5). Units are in the names.
//
// The defaults are sized for one partition log of a server with a few dozen partitions: a busy log
// holds at most `inFlightBytesMax` of queued frames, an idle one a single write segment.

const KiB = 1024;
const MiB = 1024 * KiB;

/** Size of the frame header in front of every payload: length:u32 crc32c:u32 lsn:u64. */
export const frameHeaderBytes = 16;

/** Size of the header at the start of every chunk file (see chunk-codec.ts). */
export const chunkHeaderBytes = 20;

/** Size of the metadata file (see meta-codec.ts). */
export const metaBytes = 20;

/**
 * Largest payload the format can describe. The length field is a u32, but a JS Buffer and a single
 * read are both limited well below 4 GiB; 1 GiB keeps every offset arithmetic inside int32 range.
 */
export const recordBytesFormatMax = 1024 * MiB;

/** Largest LSN: LSNs are JS numbers, exact up to 2^53 - 1, stored on disk as a u64. */
export const lsnMax = Number.MAX_SAFE_INTEGER;

/** Digits of a chunk file name: a u64 has at most 20 decimal digits, so names sort as numbers. */
export const chunkNameDigits = 20;

export const defaultChunkBytesMax = 64 * MiB;
/** Payloads beyond this are rejected; journal entries carrying state are rarely above 1 MiB. */
export const defaultRecordBytesMax = 4 * MiB;
/** One group commit writes at most this many bytes; must hold one frame of `recordBytesMax`. */
export const defaultBatchBytesMax = 8 * MiB;
/** Bytes appended but not yet durable, summed over all queued batches (the backpressure bound). */
export const defaultInFlightBytesMax = 32 * MiB;

/**
 * Appends are encoded into segments of this size and a batch is written with one writev of its
 * segments. 256 KiB holds ~960 frames of 256-byte records; the benchmark's group commits (256
 * closed-loop appenders) hold 256 frames, so a typical batch is one iovec. A frame larger than a
 * segment gets a buffer of its own.
 */
export const segmentBytes = 256 * KiB;

/** Free segments kept for reuse per log; bounds the idle memory of a log that was once busy. */
export const segmentPoolLengthMax = 4;

/** Readers fetch chunk files in blocks of this size (one read syscall per block). */
export const readBlockBytes = 1 * MiB;

/** The sparse in-memory index of a chunk holds one (lsn, offset) entry per this many bytes. */
export const indexIntervalBytes = 256 * KiB;

// Relationships between the constants, asserted once at load.
if (segmentBytes < frameHeaderBytes + 256) throw new Error("segmentBytes must hold a small frame");
if (defaultBatchBytesMax < frameHeaderBytes + defaultRecordBytesMax) {
  throw new Error("defaultBatchBytesMax must hold one frame of defaultRecordBytesMax");
}
if (defaultChunkBytesMax < chunkHeaderBytes + defaultBatchBytesMax) {
  throw new Error("defaultChunkBytesMax must hold a header and one full batch");
}
if (defaultInFlightBytesMax < defaultBatchBytesMax) {
  throw new Error("defaultInFlightBytesMax must admit one full batch");
}
if (defaultRecordBytesMax > recordBytesFormatMax) throw new Error("defaultRecordBytesMax exceeds the format");
