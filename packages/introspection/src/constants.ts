// Limits and defaults of SQL introspection. Every bound carries its unit in its name (D5).

/** Rows one query may return; past it the query fails with a clear error (add a LIMIT). */
export const queryRowsMaxDefault = 10_000;

/** Wall-clock time one query may run in the query process before it is killed. */
export const queryTimeoutMsDefault = 10_000;

/** Bytes of result (values as encoded) one query may produce; a bound on the answer's memory. */
export const queryResultBytesMax = 64 * 1024 * 1024;

/** Largest SQL text accepted. */
export const queryTextBytesMax = 64 * 1024;

/** Queries waiting for the query process at once (one runs at a time); past it → 429. */
export const queryQueueMax = 32;

/** How long the query process may take to start and attach every partition store. */
export const queryProcessStartTimeoutMs = 20_000;

/**
 * Partition stores a query process ATTACHes to its connection: SQLite's limit is 10 attached
 * databases (better-sqlite3's build), one of which is `information_schema`. Past it the views
 * scan every store through virtual tables instead (views.ts, layout `scan`): slower, no index.
 */
export const attachedPartitionsMax = 9;

/** Name of a partition's store inside `{dataDir}/partitions/{p}/` (packages/partition). */
export const storeFileName = "store.sqlite";
