// Test-only access to internals (never re-exported from index.ts).
export { StateMachine } from "./state-machine.js";
export type { StateMachineOptions, StartInfo } from "./state-machine.js";
export { FrameDecoder, encodeFrame, FLAG_REQUESTED_ACK } from "./frame.js";
export * as messages from "./messages.js";
export { encodeMessage, decodeMessage } from "./protobuf.js";
export { EndpointCore } from "./endpoint.js";
export { buildManifest, buildServiceEntry, negotiateManifestVersion } from "./discovery.js";
export { IdentityVerifier, base58Encode, base58Decode } from "./identity.js";
export { DeterministicRand } from "./rand.js";
export { startAttempt } from "./invocation.js";
