// OpenAPI 3.1 documents: one per service (its ingress API, built from the handlers' input and
// output JSON schemas in the discovery manifest), and one for the admin API itself.

import type { ManifestHandler, ManifestService } from "@cairn/protocol";
import { effectiveHandlerType, servicePublic } from "./schema-snapshot.js";
import type { MetadataState } from "./metadata-store.js";

type Json = Record<string, unknown>;

const errorSchema: Json = {
  type: "object",
  properties: { message: { type: "string" }, restate_code: { type: ["string", "null"] } },
  required: ["message"],
};

function requestBody(handler: ManifestHandler): Json | undefined {
  const input = handler.input;
  if (input === undefined) return { required: false, content: { "*/*": { schema: {} } } };
  if (input.contentType === undefined) return undefined; // the handler takes no input
  const schema = input.jsonSchema ?? (input.contentType === "application/json" ? {} : { type: "string", format: "binary" });
  return { required: input.required === true, content: { [input.contentType]: { schema } } };
}

function okResponse(handler: ManifestHandler): Json {
  const output = handler.output;
  if (output !== undefined && output.contentType === undefined) return { description: "Success (no content)" };
  const contentType = output?.contentType ?? "application/json";
  const schema = output?.jsonSchema ?? (contentType === "application/json" ? {} : { type: "string", format: "binary" });
  return { description: "Success", content: { [contentType]: { schema } } };
}

/** The OpenAPI document of one service's ingress API (`GET /services/{name}/openapi`). */
export function serviceOpenApi(service: ManifestService, isPublic: boolean): Json {
  const keyed = service.ty !== "SERVICE";
  const paths: Json = {};
  for (const handler of service.handlers) {
    if (!isPublic || handler.ingressPrivate === true) continue;
    const base = keyed ? `/${service.name}/{key}/${handler.name}` : `/${service.name}/${handler.name}`;
    const parameters = keyed ? [{ name: "key", in: "path", required: true, schema: { type: "string" }, description: service.ty === "WORKFLOW" ? "Workflow id" : "Object key" }] : [];
    const ty = effectiveHandlerType(service, handler);
    const body = requestBody(handler);
    const errors = {
      "400": { description: "Bad request", content: { "application/json": { schema: errorSchema } } },
      "500": { description: "Terminal failure of the handler", content: { "application/json": { schema: errorSchema } } },
    };
    paths[base] = {
      post: {
        operationId: handler.name,
        summary: handler.name,
        ...(handler.documentation === undefined ? {} : { description: handler.documentation }),
        ...(ty === undefined ? {} : { "x-restate-handler-type": ty.toLowerCase() }),
        parameters: [...parameters, { name: "idempotency-key", in: "header", required: false, schema: { type: "string" } }],
        ...(body === undefined ? {} : { requestBody: body }),
        responses: { "200": okResponse(handler), ...errors },
      },
    };
    paths[`${base}/send`] = {
      post: {
        operationId: `${handler.name}Send`,
        summary: `Send to ${handler.name} without waiting for its result`,
        parameters: [...parameters, { name: "delay", in: "query", required: false, schema: { type: "string" }, description: "e.g. 10s, 1m, or ISO 8601" }],
        ...(body === undefined ? {} : { requestBody: body }),
        responses: {
          "202": {
            description: "Accepted",
            content: { "application/json": { schema: { type: "object", properties: { invocationId: { type: "string" }, status: { type: "string", enum: ["Accepted", "PreviouslyAccepted"] } } } } },
          },
          ...errors,
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: service.name, version: "1.0.0", ...(service.documentation === undefined ? {} : { description: service.documentation }) },
    paths,
    components: { schemas: { Error: errorSchema } },
  };
}

/** The current definition of service `name` and whether it is public, or undefined. */
export function currentService(state: MetadataState, name: string): { service: ManifestService; isPublic: boolean } | undefined {
  const entry = state.services[name];
  const record = entry === undefined ? undefined : state.deployments[entry.deploymentId];
  const service = record?.services.find((s) => s.name === name);
  if (service === undefined) return undefined;
  return { service, isPublic: servicePublic(entry, service) };
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: Json): Json => ({ required: true, content: { "application/json": { schema } } });
const jsonAnswer = (description: string, schema: Json): Json => ({ description, content: { "application/json": { schema } } });
const errorAnswer = (description: string): Json => jsonAnswer(description, ref("ErrorDescriptionResponse"));
const idParam = (name: string, description: string): Json => ({ name, in: "path", required: true, schema: { type: "string" }, description });

/** The admin API's own OpenAPI document (`GET /openapi`). */
export function adminOpenApi(serverVersion: string): Json {
  const deployment = idParam("deployment", "Deployment id (dp_…)");
  const service = idParam("service", "Service name");
  const handler = idParam("handler", "Handler name");
  const invocation = idParam("invocation_id", "Invocation id (inv_…)");
  const invocationOp = (summary: string): Json => ({
    patch: { summary, parameters: [invocation], responses: { "200": { description: "Done" }, "202": { description: "Accepted" }, "404": errorAnswer("Unknown invocation"), "409": errorAnswer("Not possible in the invocation's status") } },
  });
  return {
    openapi: "3.1.0",
    info: { title: "Admin API", version: serverVersion, description: "Deployments, services, invocations and SQL introspection (Restate-compatible admin API). Every path is also served under /v2, /v3 and /v4." },
    paths: {
      "/health": { get: { summary: "Health check", responses: { "200": { description: "Healthy" } } } },
      "/version": { get: { summary: "Server version and admin API versions", responses: { "200": jsonAnswer("Version", { type: "object" }) } } },
      "/openapi": { get: { summary: "This document", responses: { "200": jsonAnswer("OpenAPI 3.1", { type: "object" }) } } },
      "/deployments": {
        get: { summary: "List deployments", responses: { "200": jsonAnswer("Deployments", { type: "object", properties: { deployments: { type: "array", items: ref("DeploymentResponse") } } }) } },
        post: {
          summary: "Register a deployment (runs discovery)",
          requestBody: jsonBody(ref("RegisterDeploymentRequest")),
          responses: { "200": jsonAnswer("Unchanged or overwritten", ref("RegisterDeploymentResponse")), "201": jsonAnswer("Created", ref("RegisterDeploymentResponse")), "400": errorAnswer("Bad request"), "409": errorAnswer("Conflict; use force"), "500": errorAnswer("Discovery failed") },
        },
      },
      "/deployments/{deployment}": {
        get: { summary: "Get a deployment", parameters: [deployment], responses: { "200": jsonAnswer("Deployment", ref("DeploymentResponse")), "404": errorAnswer("Unknown deployment") } },
        delete: {
          summary: "Remove a deployment",
          parameters: [deployment, { name: "force", in: "query", required: false, schema: { type: "boolean" }, description: "Remove even while services still point at it (their definitions go with it)" }],
          responses: { "202": { description: "Removed" }, "404": errorAnswer("Unknown deployment"), "409": errorAnswer("Services still point at the deployment; use force=true") },
        },
        patch: {
          summary: "Update a deployment's address or headers (re-runs discovery; the services must stay the same)",
          parameters: [deployment],
          requestBody: jsonBody({ type: "object", properties: { uri: { type: "string" }, additional_headers: { type: "object", additionalProperties: { type: "string" } }, use_http_11: { type: "boolean" }, dry_run: { type: "boolean" } } }),
          responses: { "200": jsonAnswer("Updated deployment", ref("DeploymentResponse")), "400": errorAnswer("Bad request or other services"), "404": errorAnswer("Unknown deployment"), "409": errorAnswer("Another deployment has that URI"), "500": errorAnswer("Discovery failed") },
        },
      },
      "/services": { get: { summary: "List services", responses: { "200": jsonAnswer("Services", { type: "object", properties: { services: { type: "array", items: ref("ServiceMetadata") } } }) } } },
      "/services/{service}": {
        get: { summary: "Get a service", parameters: [service], responses: { "200": jsonAnswer("Service", ref("ServiceMetadata")), "404": errorAnswer("Unknown service") } },
        patch: { summary: "Modify a service's settings", parameters: [service], requestBody: jsonBody({ type: "object", properties: { public: { type: "boolean" } } }), responses: { "200": jsonAnswer("Service", ref("ServiceMetadata")) } },
      },
      "/services/{service}/handlers": { get: { summary: "List a service's handlers", parameters: [service], responses: { "200": jsonAnswer("Handlers", { type: "object", properties: { handlers: { type: "array", items: ref("HandlerMetadata") } } }), "404": errorAnswer("Unknown service") } } },
      "/services/{service}/handlers/{handler}": { get: { summary: "Get a handler", parameters: [service, handler], responses: { "200": jsonAnswer("Handler", ref("HandlerMetadata")), "404": errorAnswer("Unknown service or handler") } } },
      "/services/{service}/openapi": { get: { summary: "OpenAPI 3.1 document of a service's ingress API", parameters: [service], responses: { "200": jsonAnswer("OpenAPI", { type: "object" }), "404": errorAnswer("Unknown service") } } },
      "/services/{service}/state": {
        post: {
          summary: "Replace the state of one virtual object or workflow key",
          parameters: [service],
          requestBody: jsonBody({ type: "object", required: ["object_key", "new_state"], properties: { version: { type: "string" }, object_key: { type: "string" }, new_state: { type: "object", additionalProperties: { type: "array", items: { type: "integer", minimum: 0, maximum: 255 } } } } }),
          responses: { "202": { description: "Accepted (durably logged and applied)" }, "400": errorAnswer("Bad request, or not a keyed service"), "404": errorAnswer("Unknown service"), "409": errorAnswer("Version mismatch, or the key is held by a running invocation") },
        },
      },
      "/invocations/{invocation_id}/cancel": invocationOp("Cancel an invocation"),
      "/invocations/{invocation_id}/kill": invocationOp("Kill an invocation"),
      "/invocations/{invocation_id}/purge": invocationOp("Purge a completed invocation"),
      "/invocations/{invocation_id}/pause": invocationOp("Pause an invocation"),
      "/invocations/{invocation_id}/resume": invocationOp("Resume a paused invocation"),
      "/query": {
        post: {
          summary: "SQL over the introspection tables",
          requestBody: jsonBody({ type: "object", required: ["query"], properties: { query: { type: "string" } } }),
          responses: {
            "200": { description: "Rows", content: { "application/json": { schema: { type: "object", properties: { rows: { type: "array", items: { type: "object" } } } } }, "application/vnd.apache.arrow.stream": { schema: { type: "string", format: "binary" } } } },
            "400": errorAnswer("Bad SQL, or over the row limit"),
            "406": errorAnswer("Unsupported accept"),
            "408": errorAnswer("Over the time limit"),
            "429": errorAnswer("Too many queries waiting"),
          },
        },
      },
    },
    components: {
      schemas: {
        ErrorDescriptionResponse: errorSchema,
        RegisterDeploymentRequest: { type: "object", required: ["uri"], properties: { uri: { type: "string" }, additional_headers: { type: "object" }, use_http_11: { type: "boolean" }, force: { type: "boolean" }, breaking: { type: "boolean" }, dry_run: { type: "boolean" }, metadata: { type: "object" } } },
        RegisterDeploymentResponse: { type: "object", properties: { id: { type: "string" }, services: { type: "array", items: ref("ServiceMetadata") }, min_protocol_version: { type: "integer" }, max_protocol_version: { type: "integer" }, sdk_version: { type: ["string", "null"] } } },
        DeploymentResponse: { type: "object", properties: { id: { type: "string" }, uri: { type: "string" }, protocol_type: { type: "string", enum: ["RequestResponse", "BidiStream"] }, http_version: { type: "string" }, created_at: { type: "string", format: "date-time" }, services: { type: "array", items: { type: "object" } } } },
        ServiceMetadata: { type: "object", properties: { name: { type: "string" }, ty: { type: "string", enum: ["Service", "VirtualObject", "Workflow"] }, handlers: { type: "array", items: ref("HandlerMetadata") }, deployment_id: { type: "string" }, revision: { type: "integer" }, public: { type: "boolean" } } },
        HandlerMetadata: { type: "object", properties: { name: { type: "string" }, ty: { type: "string", enum: ["Exclusive", "Shared", "Workflow"] }, public: { type: "boolean" }, input_description: { type: "string" }, output_description: { type: "string" }, input_json_schema: {}, output_json_schema: {} } },
      },
    },
  };
}
