// Answers of the ingress API (RESTATE-PROTOCOL.md §6.1, §6.5):
//
//   call ok        200  body = raw output           content-type per the handler's output, x-restate-id
//   send ok        202  {"invocationId", "status", "executionTime"?}      application/json, x-restate-id
//   invocation     <failure code>  {"code", "message", "metadata"?, "source": "invocation"}   x-restate-error-source: invocation
//   ingress error  <status>        {"code", "message", "source": "ingress"}                 x-restate-error-source: ingress
//   attach/output  like a call (or an invocation failure); 470 while it runs (output); 404 unknown
//   awakeable      202, empty

import { STATUS_CODES } from "node:http";
import type { InvocationFailure } from "@cairn/partition";
import type { IngressError } from "./errors.js";

export type Header = readonly [name: string, value: string];

export interface IngressResponse {
  readonly status: number;
  readonly headers: readonly Header[];
  readonly body: Uint8Array | string;
}

const json = "application/json";

/** `"404 Not Found"`: the status line text uWS wants, cached per code. */
const statusLines = new Map<number, string>();
export function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? "Unknown"}`;
    statusLines.set(status, line);
  }
  return line;
}

export function ingressErrorResponse(error: IngressError, invocationId?: string): IngressResponse {
  const headers: Header[] = [
    ["content-type", json],
    ["x-restate-error-source", "ingress"],
  ];
  if (invocationId !== undefined) headers.push(["x-restate-id", invocationId]);
  return { status: error.status, headers, body: JSON.stringify({ code: error.status, message: error.message, source: "ingress" }) };
}

/** HTTP status of an invocation failure: its code when it is a valid final status, else 500. */
export function failureStatus(code: number): number {
  return Number.isInteger(code) && code >= 200 && code <= 999 ? code : 500;
}

export function invocationFailureResponse(invocationId: string, failure: InvocationFailure, idempotencyExpiresAtMs?: number): IngressResponse {
  const body: { code: number; message: string; metadata?: Record<string, string>; source: "invocation" } = {
    code: failure.code,
    message: failure.message,
    source: "invocation",
  };
  if (failure.metadata !== undefined && Object.keys(failure.metadata).length > 0) body.metadata = failure.metadata;
  const headers: Header[] = [
    ["content-type", json],
    ["x-restate-error-source", "invocation"],
    ["x-restate-id", invocationId],
  ];
  if (idempotencyExpiresAtMs !== undefined) headers.push(["idempotency-expires", rfc3339(idempotencyExpiresAtMs)]);
  return { status: failureStatus(failure.code), headers, body: JSON.stringify(body) };
}

/** `/output` of an invocation still running: 470, as restate-server answers it. */
export function notReadyResponse(): IngressResponse {
  return {
    status: 470,
    headers: [
      ["content-type", json],
      ["x-restate-error-source", "ingress"],
    ],
    body: JSON.stringify({ code: 470, message: "the invocation exists but has not completed yet", source: "ingress" }),
  };
}

/** An awakeable completion accepted: 202, empty. */
export function acceptedSignalResponse(): IngressResponse {
  return { status: 202, headers: [], body: "" };
}

export function callResponse(
  invocationId: string,
  value: Uint8Array,
  contentType: string | undefined,
  setContentTypeIfEmpty: boolean,
  idempotencyExpiresAtMs: number | undefined,
): IngressResponse {
  const headers: Header[] = [["x-restate-id", invocationId]];
  if (contentType !== undefined && (value.length > 0 || setContentTypeIfEmpty)) headers.push(["content-type", contentType]);
  if (idempotencyExpiresAtMs !== undefined) headers.push(["idempotency-expires", rfc3339(idempotencyExpiresAtMs)]);
  return { status: 200, headers, body: value };
}

/** RFC 3339 in UTC with milliseconds and a numeric offset, as restate-server writes it: `2026-11-26T11:00:21.893+00:00`. */
export function rfc3339(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, -1)}+00:00`;
}

export function sendResponse(invocationId: string, status: "Accepted" | "PreviouslyAccepted", executeAtMs: number | undefined): IngressResponse {
  const body: { invocationId: string; status: string; executionTime?: string } = { invocationId, status };
  if (executeAtMs !== undefined) body.executionTime = new Date(executeAtMs).toISOString();
  return {
    status: 202,
    headers: [
      ["content-type", json],
      ["x-restate-id", invocationId],
    ],
    body: JSON.stringify(body),
  };
}

export function healthResponse(body: Uint8Array): IngressResponse {
  return { status: 200, headers: [["content-type", json]], body };
}
