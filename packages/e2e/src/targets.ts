// Which targets a run covers: `CAIRN_E2E_TARGETS` (comma list; default `restate,cairn`).
// A target that is listed by default but cannot run here (cairn-server not built yet) is
// reported as skipped with its reason; one listed explicitly is never skipped, so a missing
// build fails the run instead of passing it silently.
import { cairnTarget, cairnUnavailableReason } from "./cairn-target.js";
import { defaultTargets, targetsEnvVar } from "./constants.js";
import { UnknownTargetError } from "./errors.js";
import { restateTarget } from "./restate-target.js";
import type { Target, TargetName } from "./target.js";

export interface TargetSpec {
  readonly name: TargetName;
  /** Set when the target is skipped in this run, with the reason to print. */
  readonly skipReason?: string;
  /** A fresh, not yet started target; `restateProtocolV7` makes restate-server negotiate V7. */
  create(options?: { restateProtocolV7?: boolean }): Target;
}

const names: readonly TargetName[] = ["restate", "cairn"];

function isTargetName(name: string): name is TargetName {
  return (names as readonly string[]).includes(name);
}

export function selectedTargets(env: NodeJS.ProcessEnv = process.env): TargetSpec[] {
  const raw = env[targetsEnvVar];
  const explicit = raw !== undefined && raw.trim() !== "";
  const list = (explicit ? raw : defaultTargets)
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const specs: TargetSpec[] = [];
  for (const name of new Set(list)) {
    if (!isTargetName(name)) throw new UnknownTargetError(name);
    if (name === "restate") {
      specs.push({ name, create: (options) => restateTarget({ protocolV7: options?.restateProtocolV7 === true }) });
      continue;
    }
    const reason = explicit ? undefined : cairnUnavailableReason(env);
    specs.push({ name, create: () => cairnTarget(env), ...(reason === undefined ? {} : { skipReason: reason }) });
  }
  return specs;
}
