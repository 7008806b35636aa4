// Test-only access to the partition's internals; not re-exported from index.ts.
export { default as handleTask } from "./worker.js";
export { Partition } from "./partition.js";
export type { PartitionOptions, Logger } from "./partition.js";
export { Processor, emptyEffects, calleeInvocationId, randomSeedOf } from "./processor.js";
export type { Effects } from "./processor.js";
export { Store } from "./store.js";
export { encodeCommand, decodeCommand, encodeOutboxEnvelope, decodeOutboxEnvelope } from "./command-codec.js";
export type { Command, NewInvocation, OutboxPayload } from "./command-codec.js";
