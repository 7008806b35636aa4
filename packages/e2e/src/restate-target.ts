// The reference target: the real restate-server (`@restatedev/restate-server@1.7.12`) through
// the testkit. A restart on the same `--base-dir` keeps deployments, invocations, journals,
// state and timers (checked by the suite itself: state, sleep and crash scenarios).
import { startRestateServer } from "@cairn/testkit";
import { partitionCount, serverReadyTimeoutMs } from "./constants.js";
import { type Launched, ProcessTarget, type Target } from "./target.js";

export interface RestateTargetOptions {
  /** Negotiate service protocol V7 (restate-server 1.7 speaks V6 unless told; Cairn always V7). */
  readonly protocolV7?: boolean;
}

export function restateTarget(options: RestateTargetOptions = {}): Target {
  return new ProcessTarget("restate", async (dataDir: string): Promise<Launched> => {
    const server = await startRestateServer({
      dataDir,
      ...(options.protocolV7 === true ? { protocolV7: true } : {}),
      partitions: partitionCount,
      readyTimeoutMs: serverReadyTimeoutMs,
      // Retention clean-up (completed workflows, idempotent results) runs every hour by default;
      // the suite checks it with retentions of seconds.
      env: { RESTATE_WORKER__CLEANUP_INTERVAL: "1s" },
    });
    return { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl, child: server.child };
  });
}
