// Defaults and limits of the cairn command, one place, units in the names.

export const defaultAdminUrl = "http://127.0.0.1:9070";
export const defaultIngressUrl = "http://127.0.0.1:8080";

/** Admin and SQL requests: long enough for a big query, short enough that a hung server is noticed. */
export const defaultRequestTimeoutMs = 30_000;
/** `cairn invoke` waits for the handler's result; a durable handler may take a while. */
export const defaultInvokeTimeoutMs = 300_000;

/** Rows `invocations list` shows unless `--limit` says otherwise. */
export const defaultListLimit = 100;
/** Upper bound of `--limit` for listings and bulk operations: one query, one confirmation. */
export const listLimitMax = 10_000;
/** Invocations a bulk operation selects unless `--limit` says otherwise. */
export const defaultBulkLimit = 1_000;
/** Requests a bulk operation keeps in flight at once. */
export const bulkConcurrencyMax = 4;
/** Targets a confirmation prompt lists before "… and N more". */
export const confirmPreviewRowsMax = 10;
/** Journal entries `invocations describe` reads. */
export const journalEntriesMax = 1_000;
/** A response body the CLI reads at most (SQL results, deployments, handler output). */
export const responseBytesMax = 64 * 1024 * 1024;
/** Width of the progress bar's bar, in cells. */
export const progressBarCells = 30;
/** A progress bar redraws at most this often (a fast bulk operation must not flood the terminal). */
export const progressRedrawIntervalMs = 50;
/** A table cell longer than this is cut with an ellipsis in human output (never in --json). */
export const tableCellCharsMax = 80;
/** How long `state set|clear` waits to see its change applied before saying it is still queued. */
export const stateApplyWaitMs = 5_000;
/** Interval between the reads that look for an applied state change. */
export const stateApplyPollMs = 100;
