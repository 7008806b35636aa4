// Public API of @cairn/e2e (test-only): the targets the suite runs against and the helpers its
// scenarios share. Every export is listed by name.
export { partitionCount, defaultTargets, serverEntryEnvVar, targetsEnvVar } from "./constants.js";
export {
  E2eError,
  InvalidInvocationIdError,
  TargetStateError,
  TargetUnavailableError,
  UnknownTargetError,
} from "./errors.js";
export { ProcessTarget } from "./target.js";
export type { Launched, Launcher, StartOptions, Target, TargetEndpoints, TargetName } from "./target.js";
export { restateTarget } from "./restate-target.js";
export { cairnServerEntry, cairnTarget, cairnUnavailableReason } from "./cairn-target.js";
export { selectedTargets } from "./targets.js";
export type { TargetSpec } from "./targets.js";
export { partitionKeyOfInvocationId, partitionOfInvocationId, partitionOfKey } from "./invocation-id.js";
export { readSideEffects, sideEffectLogSize } from "./side-effect-log.js";
export type { SideEffect } from "./side-effect-log.js";
