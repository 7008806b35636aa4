// Where the worker module lives on disk, for `new Piscina({ filename: workerEntryPath })`.
import { fileURLToPath } from "node:url";

/** URL of the worker module (the built `worker.js` beside this file). */
export const workerEntryUrl: URL = new URL("./worker.js", import.meta.url);
/** Filesystem path of the worker module. */
export const workerEntryPath: string = fileURLToPath(workerEntryUrl);
