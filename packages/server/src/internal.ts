// Test-only access to a running server's internals; never re-exported from index.ts.
// Import it in tests as "@cairn/server/internal".
export { serverInternals } from "./server.js";
export { WorkerHost, WorkerUnavailable } from "./worker-host.js";
export { toIngressError } from "./dispatcher.js";
export { openDataDir } from "./data-dir.js";
export { TaskChannel, WorkerOverloaded } from "./task-channel.js";
