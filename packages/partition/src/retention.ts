// How long a completed invocation's result is kept (RESTATE-PROTOCOL.md §4.6 compute_retention),
// resolved from the schema when the invocation is created and recorded in its Invoke (`ret`), so
// applying the log never reads the schema (D3): a workflow run keeps its result, state and
// promises for the workflow completion retention; an idempotent invocation its result for the
// idempotency retention; handler values override service values, which override the defaults.
import { defaultIdempotencyRetentionMs, defaultWorkflowRetentionMs } from "./constants.js";
import type { HandlerType, ServiceInfo } from "./contract.js";

/** The completion retention (ms) of a new invocation, or undefined for the partition default. */
export function completionRetentionOf(
  service: ServiceInfo | undefined,
  handler: string,
  handlerType: HandlerType | null,
  idempotent: boolean,
): number | undefined {
  const info = service?.handlers[handler];
  if (handlerType === "WORKFLOW") return info?.workflowCompletionRetentionMs ?? service?.workflowCompletionRetentionMs ?? defaultWorkflowRetentionMs;
  if (idempotent) return info?.idempotencyRetentionMs ?? service?.idempotencyRetentionMs ?? defaultIdempotencyRetentionMs;
  return undefined;
}
