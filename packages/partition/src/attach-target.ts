// The invocation an AttachInvocation / GetInvocationOutput command addresses (RESTATE-PROTOCOL.md
// §3.3, §8.2): an invocation id as given, or the deterministic id of a workflow run or of an
// idempotent request — the same id the ingress and Call commands mint for them, so the lookup is
// by id on the partition that owns it.
import { idempotentServicePartitionKey } from "./idempotency.js";
import {
  formatInvocationId,
  idempotentInvocationUuid,
  makeInvocationId,
  parseInvocationId,
  partitionKeyOf,
  workflowInvocationUuid,
  type AttachInvocationCommandMessage,
} from "@cairn/protocol";

export type AttachTarget = AttachInvocationCommandMessage["target"];

/** The `inv_1…` id of the target; throws (a bad request) when there is none or it does not parse. */
export function attachTargetId(target: AttachTarget): string {
  switch (target.case) {
    case "invocationId":
      return formatInvocationId(parseInvocationId(target.value));
    case "workflowTarget": {
      const { workflowName: service, workflowKey: key } = target.value;
      return formatInvocationId(makeInvocationId(partitionKeyOf(key), workflowInvocationUuid({ service, key })));
    }
    case "idempotentRequestTarget": {
      const { serviceName: service, serviceKey: key, handlerName: handler, idempotencyKey } = target.value;
      // Keyed targets hash their key into the partition key; plain services shard by idempotency key.
      const partitionKey = key === undefined ? idempotentServicePartitionKey(service, idempotencyKey) : partitionKeyOf(key);
      const uuid = idempotentInvocationUuid(key === undefined ? { service, handler, idempotencyKey } : { service, key, handler, idempotencyKey });
      return formatInvocationId(makeInvocationId(partitionKey, uuid));
    }
    case undefined:
      throw new Error("the command names no target invocation");
  }
}
