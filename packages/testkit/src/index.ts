// Public API of @cairn/testkit (test-only): real peers for compatibility tests and benchmarks.
export { node24Path, restateServerPath, servicesDir, testkitRoot } from "./paths.js";
export { freePort } from "./ports.js";
export { spawnChild, waitUntil, httpOk } from "./child.js";
export type { ChildHandle, SpawnOptions } from "./child.js";
export { startOfficialService } from "./official-service.js";
export type { SdkService, OfficialServiceOptions } from "./official-service.js";
export { startRestateServer } from "./restate-server.js";
export type { RestateServer, RestateServerOptions } from "./restate-server.js";
export { registerDeployment, ingressCall } from "./admin.js";
export type { RegisterOptions } from "./admin.js";
export { restateCliPath, runRestateCli } from "./restate-cli.js";
export type { RestateCliResult, RestateCliOptions } from "./restate-cli.js";
