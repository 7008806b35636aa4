// Limits and defaults of the end-to-end suite, each with its unit in the name.

/** Partitions of every target under test: the testkit's restate default, passed to cairn too. */
export const partitionCount = 4;

/** How long a server may take to answer its health checks after a (re)start. */
export const serverReadyTimeoutMs = 60_000;

/** Grace between SIGTERM and SIGKILL when a target is closed or restarted while running. */
export const serverStopGraceMs = 10_000;

/** Environment variable listing the targets to run, comma-separated. */
export const targetsEnvVar = "CAIRN_E2E_TARGETS";

/** Targets run when `CAIRN_E2E_TARGETS` is unset. */
export const defaultTargets = "restate,cairn";

/** Environment variable overriding the path of cairn-server's entry script. */
export const serverEntryEnvVar = "CAIRN_E2E_SERVER_ENTRY";
