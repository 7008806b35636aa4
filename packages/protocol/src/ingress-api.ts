// JSON shapes and header names of the ingress HTTP API (RESTATE-PROTOCOL.md §6), default port
// 8080. Only shapes: the routes are described in the comments for whoever serves or calls them.

/** Where an ingress error came from (body `source` and header `x-restate-error-source`). */
export type IngressErrorSource = "ingress" | "invocation";

/**
 * Body of every ingress error response (content-type application/json). For invocation failures
 * the HTTP status is the failure code (500 if outside 100..999).
 */
export interface IngressErrorBody {
  readonly code: number;
  readonly message: string;
  readonly stacktrace?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly source?: IngressErrorSource;
}

export type SendStatus = "Accepted" | "PreviouslyAccepted";

/** `202` body of `POST …/send` (and `…/send?delay=…`). */
export interface SendResponseBody {
  readonly invocationId: string;
  readonly status: SendStatus;
  /** RFC 3339; only for delayed sends. */
  readonly executionTime?: string;
}

/** `GET /restate/health` body. */
export interface IngressHealthBody {
  readonly services: readonly string[];
}

/** Targets of `POST /restate/attach`, `/restate/output` and `/restate/lookup` (1.7+). */
export type IngressLookupTarget =
  | { readonly target: "Invocation"; readonly invocationId: string }
  | { readonly target: "Workflow"; readonly workflowName: string; readonly workflowKey: string }
  | {
      readonly target: "IdempotentInvocation";
      readonly service: string;
      readonly key?: string;
      readonly handler: string;
      readonly idempotencyKey: string;
    };

/** Header names of the ingress API. */
export const IngressHeader = {
  /** Request: deduplicates by (service, key?, handler, idempotency key). */
  idempotencyKey: "idempotency-key",
  /** Response: RFC 3339 end of the retention of an idempotent or workflow result. */
  idempotencyExpires: "idempotency-expires",
  /** Response: the `inv_1…` id of the invocation. */
  invocationId: "x-restate-id",
  /** Response on errors: `ingress` or `invocation`. */
  errorSource: "x-restate-error-source",
  /** Request, added by the server to InputCommand headers: path and query as received. */
  ingressPath: "x-restate-ingress-path",
  /** Request: limit key of scoped invocations. */
  limitKey: "x-restate-limit-key",
  /** Request, sent by the TS clients library: the retry attempt. */
  clientRetryAttempt: "x-restateclient-retry-attempt",
} as const;

/** Status the ingress answers when an output is requested before the invocation completed. */
export const INGRESS_STATUS_NOT_READY = 470;
