// Minting invocation ids at the ingress (RESTATE-PROTOCOL.md §8.2), with @cairn/protocol:
//
//   workflow run      uuid = SHA-256("wf,service,key")…          partition key = xxh3(key)
//   idempotency key   uuid = SHA-256("ik,service[,key],handler,idempotencyKey")…
//                     partition key = xxh3(key) when keyed, else one of the service's 512
//                     idempotency buckets (idempotentServicePartitionKey of @cairn/partition)
//   keyed             uuid = ULID                                partition key = xxh3(key)
//   plain service     uuid = ULID                                partition key = random
//
// Deterministic ids for workflow runs and idempotent requests make a repeated request land on the
// same partition with the same id, which is what lets the partition deduplicate it.

import { idempotentServicePartitionKey } from "@cairn/partition";
import {
  formatInvocationId,
  makeInvocationId,
  idempotentInvocationUuid,
  invocationIdPartitionKey,
  newInvocationId,
  workflowInvocationUuid,
} from "@cairn/protocol";

export interface MintedInvocationId {
  readonly invocationId: string;
  readonly partitionKey: bigint;
}

export interface InvocationTarget {
  readonly service: string;
  readonly handler: string;
  readonly key?: string | undefined;
  readonly workflowRun: boolean;
  readonly idempotencyKey?: string | undefined;
}

export function mintInvocationId(target: InvocationTarget): MintedInvocationId {
  let uuid: Uint8Array | undefined;
  if (target.workflowRun && target.key !== undefined) {
    uuid = workflowInvocationUuid({ service: target.service, key: target.key });
  } else if (target.idempotencyKey !== undefined) {
    uuid = idempotentInvocationUuid({
      service: target.service,
      handler: target.handler,
      idempotencyKey: target.idempotencyKey,
      ...(target.key === undefined ? {} : { key: target.key }),
    });
  }
  if (target.key === undefined && target.idempotencyKey !== undefined && uuid !== undefined) {
    const partitionKey = idempotentServicePartitionKey(target.service, target.idempotencyKey);
    return { invocationId: formatInvocationId(makeInvocationId(partitionKey, uuid)), partitionKey };
  }
  const raw = newInvocationId({
    ...(target.key === undefined ? {} : { key: target.key }),
    ...(target.idempotencyKey === undefined ? {} : { idempotencyKey: target.idempotencyKey }),
    ...(uuid === undefined ? {} : { uuid }),
  });
  return { invocationId: formatInvocationId(raw), partitionKey: invocationIdPartitionKey(raw) };
}
