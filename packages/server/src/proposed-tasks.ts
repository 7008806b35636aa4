// Worker tasks the ingress's attach/output and awakeable routes need, kept here as a local type
// until packages/partition/src/contract.ts (owned by the partition side) adds them. Proposed as an
// additive change to WorkerTask:
//
//   | { kind: "attach"; partition: number; invocationId: string; wait: boolean }      → AttachTaskResult
//   | { kind: "signal"; partition: number; invocationId: string; signalIndex: number;
//       result: { value: Uint8Array } | { failure: InvocationFailure } }              → { accepted: true }, once durable (D1)
//
// `attach` answers the invocation's outcome once it is completed (wait: true blocks until then;
// wait: false answers not-ready), or not-found for an id the partition does not know (or no longer
// retains). `signal` appends SignalNotification{idx, value | failure} to the invocation's journal
// (and resumes it if it is suspended on it); an unknown invocation is accepted and ignored, as on
// restate-server. A worker without these tasks answers `undefined` (its task switch has no case for
// them): the dispatcher turns that into 501 — which is why `signal` answers an object, not void.

import type { InvocationFailure, InvocationOutcome } from "@cairn/partition";

export type ProposedTask =
  | { readonly kind: "attach"; readonly partition: number; readonly invocationId: string; readonly wait: boolean }
  | {
      readonly kind: "signal";
      readonly partition: number;
      readonly invocationId: string;
      readonly signalIndex: number;
      readonly result: { readonly value: Uint8Array } | { readonly failure: InvocationFailure };
    };

export type AttachTaskResult =
  | {
      readonly kind: "completed";
      readonly invocationId: string;
      readonly service?: string;
      readonly handler?: string;
      readonly outcome: InvocationOutcome;
      readonly idempotencyExpiresAtMs?: number;
    }
  | { readonly kind: "not-ready"; readonly invocationId: string }
  | { readonly kind: "not-found" };
