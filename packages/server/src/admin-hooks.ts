// The admin API's hooks into the rest of the server: `POST /services/{name}/state` runs a
// `set-state` task on the partition that owns the key (same routing as an invocation of that key:
// partition key = hash of the object key), and its failures become statuses the admin answers.

import type { StateHook, StateReplaceRequest } from "@cairn/admin";
import { partitionOf, type SetStateTaskResult } from "@cairn/partition";
import { partitionKeyOf } from "@cairn/protocol";
import { toIngressError } from "./dispatcher.js";
import type { PartitionTable } from "./partition-table.js";
import { describe } from "./worker-host.js";

/** A failure the admin API answers with `status` (its introspection routes map it). */
class HookError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createStateHook(table: PartitionTable): StateHook {
  return async (request: StateReplaceRequest): Promise<void> => {
    const partition = partitionOf(partitionKeyOf(request.key), table.partitionCount);
    let result: SetStateTaskResult | undefined;
    try {
      result = await table.workerOfPartition(partition).run<SetStateTaskResult | undefined>({
        kind: "set-state",
        partition,
        service: request.service,
        key: request.key,
        entries: request.entries.map(([k, v]): [string, Uint8Array] => [k, v]),
        ...(request.version === undefined ? {} : { version: request.version }),
      });
    } catch (error) {
      const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
      if (code === "ERR_PARTITION_STATE_CONFLICT") throw new HookError(409, describe(error));
      throw toIngressError(error, partition);
    }
    if (result === undefined) throw new HookError(503, "the partition workers do not support changing state yet");
  };
}
