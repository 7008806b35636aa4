// The ingress's dispatcher: partition key → partition (contract.ts partitionOf) → owning worker
// (workerOf, C1) → an `invoke` task, batched with the other requests of the same event-loop turn
// over the worker's task channel (worker-host.ts H6); worker failures become the ingress's HTTP
// errors.
//
//   ERR_PARTITION_QUEUE_FULL, ERR_PARTITION_INBOX_FULL, worker's task bound  → 429
//   worker starting / restarting / closing, ERR_PARTITION_CLOSED              → 503
//   ERR_PARTITION_SERVICE_NOT_FOUND                                           → 404
//   ERR_PARTITION_BAD_REQUEST                                                 → 400
//   anything else                                                             → 500

import {
  BadRequestError,
  InternalError,
  NotFoundError,
  OverloadedError,
  UnavailableError,
  type AttachCall,
  type AttachOutcome,
  type DispatchCall,
  type Dispatcher,
  type IngressError,
  type SignalCall,
} from "@cairn/ingress";
import { partitionOf, type AttachTaskResult, type InvokeResult, type SignalTaskResult } from "@cairn/partition";
import type { PartitionTable } from "./partition-table.js";
import { WorkerOverloaded } from "./task-channel.js";
import { WorkerUnavailable, describe } from "./worker-host.js";

export function createDispatcher(table: PartitionTable): Dispatcher {
  return {
    dispatch: async (call: DispatchCall): Promise<InvokeResult> => {
      const partition = partitionOf(call.partitionKey, table.partitionCount);
      const worker = table.workerOfPartition(partition);
      const body = call.request.body;
      const transfer = call.bodyTransferable && body.byteLength > 0 ? [body.buffer as ArrayBuffer] : undefined;
      try {
        return await worker.run<InvokeResult>({ kind: "invoke", partition, request: call.request }, transfer);
      } catch (error) {
        throw toIngressError(error, partition);
      }
    },

    attach: async (call: AttachCall): Promise<AttachOutcome> => {
      const partition = partitionOf(call.partitionKey, table.partitionCount);
      let result: AttachTaskResult;
      try {
        result = await table.workerOfPartition(partition).run<AttachTaskResult>({
          kind: "attach",
          partition,
          invocationId: call.invocationId,
          wait: call.wait,
        });
      } catch (error) {
        throw toIngressError(error, partition);
      }
      if (result.kind !== "completed" && result.kind !== "not-ready" && result.kind !== "not-found") {
        throw new InternalError(`partition ${partition} answered attach with ${JSON.stringify(result)}`);
      }
      return result;
    },

    signal: async (call: SignalCall): Promise<void> => {
      const partition = partitionOf(call.partitionKey, table.partitionCount);
      let result: SignalTaskResult;
      try {
        result = await table.workerOfPartition(partition).run<SignalTaskResult>({
          kind: "signal",
          partition,
          invocationId: call.invocationId,
          signalIndex: call.signalIndex,
          result: call.result,
        });
      } catch (error) {
        throw toIngressError(error, partition);
      }
      if (result.accepted !== true) throw new InternalError(`partition ${partition} answered signal with ${JSON.stringify(result)}`);
    },
  };
}

export function toIngressError(error: unknown, partition: number): IngressError {
  if (error instanceof WorkerUnavailable) {
    return new UnavailableError(
      error.mayHaveRun
        ? `${error.message}. The invocation may have been accepted before that; retry with an idempotency-key to be safe`
        : `partition ${partition} is unavailable: ${error.message}`,
    );
  }
  if (error instanceof WorkerOverloaded) {
    return new OverloadedError(`the worker of partition ${partition} has too many queued tasks; retry later`);
  }
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = describe(error);
  switch (code) {
    case "ERR_PARTITION_QUEUE_FULL":
    case "ERR_PARTITION_INBOX_FULL":
      return new OverloadedError(`partition ${partition} is overloaded: ${message}; retry later`);
    case "ERR_PARTITION_CLOSED":
    case "ERR_PARTITION_WORKER_STATE":
      return new UnavailableError(`partition ${partition} is unavailable: ${message}`);
    case "ERR_PARTITION_SERVICE_NOT_FOUND":
      return new NotFoundError(message);
    case "ERR_PARTITION_BAD_REQUEST":
      return new BadRequestError(message);
  }
  if (error instanceof Error && /Task queue is at limit|No task queue available/i.test(error.message)) {
    return new OverloadedError(`the worker of partition ${partition} has too many queued tasks; retry later`);
  }
  return new InternalError(`partition ${partition}: ${message}`);
}
