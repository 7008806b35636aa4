// Helpers of the invocation-control scenarios: admin calls on invocations and services, sends
// that return the invocation id, attach, and waiting for side effects of the control fixture.
import type { SideEffect } from "@cairn/e2e";
import { type Harness, type Reply, type Services, eventually, requestTimeoutMs } from "./suite.js";

export interface AdminReply {
  readonly status: number;
  readonly text: string;
  json<T>(): T;
}

/** One admin API request (`body` sent as JSON when given). */
export async function admin(h: Harness, method: string, path: string, body?: unknown): Promise<AdminReply> {
  const response = await fetch(`${h.endpoints().adminUrl}${path}`, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const text = await response.text();
  return { status: response.status, text, json: <T>() => JSON.parse(text) as T };
}

/** `PATCH /invocations/{id}/{op}`. */
export function control(h: Harness, id: string, op: string, query = ""): Promise<AdminReply> {
  return admin(h, "PATCH", `/invocations/${encodeURIComponent(id)}/${op}${query}`);
}

/** Sends `path` with a JSON body through the ingress and returns the invocation id. */
export async function send(h: Harness, path: string, body: unknown): Promise<string> {
  const reply = await h.request(`${path}/send`, body);
  if (reply.status !== 202) throw new Error(`${path}/send: ${reply.status} ${reply.text}`);
  return reply.json<{ invocationId: string }>().invocationId;
}

/** Blocks until the invocation completes and returns its answer, as a call would. */
export function attach(h: Harness, id: string): Promise<Reply> {
  return h.request(`/restate/invocation/${id}/attach`);
}

/** The invocation's output without waiting (470 while it runs). */
export function output(h: Harness, id: string): Promise<Reply> {
  return h.request(`/restate/invocation/${id}/output`);
}

export function effects(services: Services, kind: string, tag: string): SideEffect[] {
  return services.sideEffects().filter((e) => e.kind === kind && e.tag === tag);
}

/** Waits until at least `count` side effects of `kind` with `tag` were recorded, and returns them. */
export function awaitEffects(services: Services, kind: string, tag: string, count = 1, timeoutMs = 20_000): Promise<SideEffect[]> {
  return eventually(
    `${count} × ${kind} (${tag})`,
    () => {
      const found = effects(services, kind, tag);
      return found.length >= count ? found : undefined;
    },
    timeoutMs,
  );
}

/** Retries `probe` until it gives the wanted status (an admin operation racing the invocation's progress). */
export async function eventuallyStatus(what: string, probe: () => Promise<AdminReply>, status: number, timeoutMs = 10_000): Promise<AdminReply> {
  let last: AdminReply | undefined;
  return eventually(
    `${what} to answer ${status} (last: ${last?.status ?? "none"} ${last?.text ?? ""})`,
    async () => {
      last = await probe();
      return last.status === status ? last : undefined;
    },
    timeoutMs,
    100,
  );
}
