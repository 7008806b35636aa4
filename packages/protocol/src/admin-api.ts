// JSON shapes of the admin API (RESTATE-PROTOCOL.md §5.3, §7), default port 9070. Keys are
// snake_case as on the wire. Durations are jiff "friendly" strings (`1d`, `10m`, `500ms`).

/** Every admin error: `{"message": "...", "restate_code": "META0003" | null}`. */
export interface AdminErrorBody {
  readonly message: string;
  readonly restate_code?: string | null;
}

/** `GET /version`. */
export interface VersionResponse {
  readonly version: string;
  readonly min_admin_api_version: number;
  readonly max_admin_api_version: number;
  readonly ingress_endpoint?: string;
  readonly features?: Readonly<Record<string, unknown>>;
}

export type AdminServiceType = "Service" | "VirtualObject" | "Workflow";
export type AdminHandlerType = "Exclusive" | "Shared" | "Workflow";
export type OnMaxAttempts = "Pause" | "Kill";

/** Informational notes attached to registrations and schemas. */
export interface InfoEntry {
  readonly code?: string;
  readonly message: string;
}

// ---- deployments ----------------------------------------------------------------------------

/** `POST /deployments` body for an HTTP deployment. */
export interface RegisterHttpDeploymentRequest {
  readonly uri: string;
  readonly additional_headers?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Discover and invoke over HTTP/1.1 (request/response) instead of h2c. */
  readonly use_http_11?: boolean;
  readonly breaking?: boolean;
  /** Overwrite a deployment with the same URI; default true only on admin API v1/v2. */
  readonly force?: boolean;
  readonly dry_run?: boolean;
  readonly auth?: Readonly<Record<string, unknown>>;
}

/** `POST /deployments` body for a Lambda deployment. */
export interface RegisterLambdaDeploymentRequest {
  readonly arn: string;
  readonly assume_role_arn?: string | null;
  readonly additional_headers?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly breaking?: boolean;
  readonly force?: boolean;
  readonly dry_run?: boolean;
}

/** Untagged: HTTP vs Lambda is told apart by `uri` vs `arn`. */
export type RegisterDeploymentRequest = RegisterHttpDeploymentRequest | RegisterLambdaDeploymentRequest;

/** `201`/`200` body of `POST /deployments` (header `Location: deployments/{id}`). */
export interface RegisterDeploymentResponse {
  readonly id: string;
  readonly services: readonly ServiceMetadata[];
  readonly min_protocol_version: number;
  readonly max_protocol_version: number;
  readonly sdk_version?: string | null;
  readonly info?: readonly InfoEntry[];
}

export interface ServiceNameRevision {
  readonly name: string;
  readonly revision: number;
}

interface DeploymentCommon {
  readonly id: string;
  readonly additional_headers?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly created_at: string;
  readonly min_protocol_version: number;
  readonly max_protocol_version: number;
  readonly sdk_version?: string | null;
  readonly info?: readonly InfoEntry[];
}

export interface HttpDeploymentResponse extends DeploymentCommon {
  readonly uri: string;
  readonly protocol_type: "RequestResponse" | "BidiStream";
  readonly http_version: "HTTP/2.0" | "HTTP/1.1";
  readonly services: readonly ServiceNameRevision[];
}

export interface LambdaDeploymentResponse extends DeploymentCommon {
  readonly arn: string;
  readonly assume_role_arn?: string | null;
  readonly compression?: string | null;
  readonly services: readonly ServiceNameRevision[];
}

/** One entry of `GET /deployments` (untagged: `uri` or `arn`). */
export type DeploymentResponse = HttpDeploymentResponse | LambdaDeploymentResponse;

/** `GET /deployments`. */
export interface ListDeploymentsResponse {
  readonly deployments: readonly DeploymentResponse[];
}

/** `GET /deployments/{id}`: like DeploymentResponse, with full service metadata. */
export type DetailedDeploymentResponse =
  | (Omit<HttpDeploymentResponse, "services"> & { readonly services: readonly ServiceMetadata[] })
  | (Omit<LambdaDeploymentResponse, "services"> & { readonly services: readonly ServiceMetadata[] });

// ---- services and handlers ------------------------------------------------------------------

export interface ServiceRetryPolicy {
  readonly initial_interval: string;
  readonly exponentiation_factor: number;
  readonly max_attempts: number | null;
  readonly max_interval: string;
  readonly on_max_attempts: OnMaxAttempts;
}

export interface HandlerRetryPolicy {
  readonly initial_interval?: string | null;
  readonly exponentiation_factor?: number | null;
  readonly max_attempts?: number | null;
  readonly max_interval?: string | null;
  readonly on_max_attempts?: OnMaxAttempts | null;
}

export interface HandlerMetadata {
  readonly name: string;
  readonly ty?: AdminHandlerType | null;
  readonly documentation?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly idempotency_retention?: string | null;
  readonly journal_retention?: string | null;
  readonly inactivity_timeout?: string | null;
  readonly abort_timeout?: string | null;
  readonly enable_lazy_state?: boolean | null;
  readonly public: boolean;
  /** Human-readable, e.g. "application/json". */
  readonly input_description: string;
  readonly output_description: string;
  readonly input_json_schema?: unknown;
  readonly output_json_schema?: unknown;
  readonly retry_policy: HandlerRetryPolicy;
  readonly info?: readonly InfoEntry[];
}

export interface ServiceMetadata {
  readonly name: string;
  readonly ty: AdminServiceType;
  readonly handlers: readonly HandlerMetadata[];
  readonly documentation?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly deployment_id: string;
  readonly revision: number;
  readonly public: boolean;
  readonly idempotency_retention: string;
  readonly workflow_completion_retention?: string | null;
  readonly journal_retention?: string | null;
  readonly inactivity_timeout: string;
  readonly abort_timeout: string;
  readonly enable_lazy_state: boolean;
  readonly retry_policy: ServiceRetryPolicy;
  readonly info?: readonly InfoEntry[];
}

/** `GET /services`. */
export interface ListServicesResponse {
  readonly services: readonly ServiceMetadata[];
}

/** `GET /services/{name}/handlers`. */
export interface ListServiceHandlersResponse {
  readonly handlers: readonly HandlerMetadata[];
}

/** `PATCH /services/{name}` body. */
export interface ModifyServiceRequest {
  readonly public?: boolean;
  readonly idempotency_retention?: string;
  readonly workflow_completion_retention?: string;
  readonly journal_retention?: string;
  readonly inactivity_timeout?: string;
  readonly abort_timeout?: string;
}

/** `POST /services/{name}/state` body (answer 202): replaces a virtual object's state. */
export interface ModifyServiceStateRequest {
  readonly version?: string;
  readonly object_key: string;
  /** Values are byte arrays as JSON number arrays. */
  readonly new_state: Readonly<Record<string, readonly number[]>>;
}

// ---- invocations and queries ----------------------------------------------------------------

/** `PATCH /invocations/{id}/restart-as-new`. */
export interface RestartAsNewInvocationResponse {
  readonly new_invocation_id: string;
}

/** `POST /query` body (content-type application/json). */
export interface QueryRequest {
  readonly query: string;
}

/** `POST /query` answer with `accept: application/json`. */
export interface QueryResponse {
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

/** Invocation statuses as the admin API and `sys_invocation.status` show them. */
export type InvocationStatus =
  | "pending"
  | "scheduled"
  | "ready"
  | "running"
  | "backing-off"
  | "suspended"
  | "paused"
  | "completed";
