// The admin's invocation control (admin `PATCH /invocations/{id}/…`): invocation id → partition
// (its partition key) → owning worker (C1) → a `control` task; worker failures become admin errors.
//
//   unparsable id, ERR_PARTITION_BAD_REQUEST                   → 400
//   worker starting / restarting / closing, ERR_PARTITION_CLOSED → 503
//   anything else                                              → 500 (the admin's internal error)

import { BadRequestError, UnavailableError, type InvocationControl } from "@cairn/admin";
import { partitionOf, type ControlTaskOp, type ControlTaskResult } from "@cairn/partition";
import { invocationIdPartitionKey, parseInvocationId } from "@cairn/protocol";
import type { PartitionTable } from "./partition-table.js";
import { WorkerUnavailable, describe } from "./worker-host.js";

export function createInvocationControl(table: PartitionTable): InvocationControl {
  return {
    control: async (invocationId: string, op: ControlTaskOp, deploymentId?: string): Promise<ControlTaskResult> => {
      let partitionKey: bigint;
      try {
        partitionKey = invocationIdPartitionKey(parseInvocationId(invocationId));
      } catch (error) {
        throw new BadRequestError(`bad invocation id '${invocationId}': ${describe(error)}`);
      }
      const partition = partitionOf(partitionKey, table.partitionCount);
      try {
        return await table.workerOfPartition(partition).run<ControlTaskResult>({
          kind: "control",
          partition,
          invocationId,
          op,
          ...(deploymentId === undefined ? {} : { deploymentId }),
        });
      } catch (error) {
        if (error instanceof WorkerUnavailable) throw new UnavailableError(`partition ${partition} is unavailable: ${error.message}`);
        const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
        if (code === "ERR_PARTITION_BAD_REQUEST") throw new BadRequestError(describe(error));
        if (code === "ERR_PARTITION_CLOSED" || code === "ERR_PARTITION_WORKER_STATE") throw new UnavailableError(`partition ${partition} is unavailable: ${describe(error)}`);
        throw new Error(`partition ${partition}: ${describe(error)}`, { cause: error });
      }
    },
  };
}
