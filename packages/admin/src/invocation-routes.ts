// The admin API's invocation routes (RESTATE-PROTOCOL.md §7.3), served through the invocation
// control the server sets (the admin itself holds no partitions):
//
//   PATCH  /invocations/{id}/cancel                     200 done (inboxed, scheduled) | 202 signal appended | 404 | 409 completed
//   PATCH  /invocations/{id}/kill                       200 | 404 | 409 completed
//   PATCH  /invocations/{id}/purge                      200 | 404 | 409 not completed
//   PATCH  /invocations/{id}/purge-journal              200 | 404 | 409 not completed
//   PATCH  /invocations/{id}/pause                      202 pausing (running) | 200 paused (suspended) or already paused | 404 | 409 otherwise
//   PATCH  /invocations/{id}/resume[?deployment=dp_…]   200 | 400 unknown deployment | 404 | 409 completed, or a
//                                                       deployment named for one running or not pinned yet | 425 not started
//   DELETE /invocations/{id}[?mode=cancel|kill|purge]   deprecated: 202 (cancel by default)
//
// Errors are the admin's `{"message", "restate_code"}`; an unparsable id is 400, a server without
// an invocation control (an admin embedded alone) is 501.

import type { ControlTaskOp, ControlTaskResult } from "@cairn/partition";
import type { Admin } from "./admin.js";
import { BadRequestError, ConflictError, MethodNotAllowedError, NotFoundError, NotImplementedError, NotStartedError } from "./errors.js";

/** What the server gives the admin to act on invocations (one partition task per call). */
export interface InvocationControl {
  /** Throws an AdminError (400 bad id, 503 partition unavailable) when the task cannot run. */
  control(invocationId: string, op: ControlTaskOp, deploymentId?: string): Promise<ControlTaskResult>;
}

const controls = new WeakMap<Admin, InvocationControl>();

/** Sets (or, with undefined, removes) the invocation control the routes below use. */
export function setInvocationControl(admin: Admin, control: InvocationControl | undefined): void {
  if (control === undefined) controls.delete(admin);
  else controls.set(admin, control);
}

export interface InvocationAnswer {
  readonly status: number;
  readonly body?: unknown;
}

const opPath = /^\/invocations\/([^/]+)\/(cancel|kill|purge|purge-journal|pause|resume)$/;
const idPath = /^\/invocations\/([^/]+)$/;
const deprecatedModes: Readonly<Record<string, ControlTaskOp>> = { cancel: "cancel", kill: "kill", purge: "purge" };

/** Answers `method path` if it is an invocation route, else undefined (the router goes on). */
export async function routeInvocation(admin: Admin, method: string, path: string, query: URLSearchParams): Promise<InvocationAnswer | undefined> {
  const op = opPath.exec(path);
  if (op !== null) {
    if (method !== "PATCH") throw new MethodNotAllowedError(`method ${method} not allowed on ${path}`, ["PATCH"]);
    const id = decodeURIComponent(op[1] ?? "");
    const name = op[2] as ControlTaskOp;
    const deployment = name === "resume" ? (query.get("deployment") ?? undefined) : undefined;
    const result = await controlOf(admin).control(id, name, deployment);
    return answer(id, name, result);
  }
  const single = idPath.exec(path);
  if (single !== null) {
    if (method !== "DELETE") throw new MethodNotAllowedError(`method ${method} not allowed on ${path}`, ["DELETE"]);
    const id = decodeURIComponent(single[1] ?? "");
    const mode = query.get("mode") ?? "cancel";
    const name = deprecatedModes[mode];
    if (name === undefined) throw new BadRequestError(`unknown mode '${mode}': expected cancel, kill or purge`);
    const result = await controlOf(admin).control(id, name);
    answer(id, name, result); // throws for 404 / 409
    return { status: 202 };
  }
  return undefined;
}

function controlOf(admin: Admin): InvocationControl {
  const control = controls.get(admin);
  if (control === undefined) throw new NotImplementedError("this admin API is not connected to partitions; invocation operations are unavailable");
  return control;
}

function answer(id: string, op: ControlTaskOp, result: ControlTaskResult): InvocationAnswer {
  switch (result.outcome) {
    case "done":
      return { status: 200 };
    case "accepted":
      return { status: 202 };
    case "not-found":
      throw new NotFoundError(result.message.length > 0 ? result.message : `the requested invocation '${id}' does not exist`);
    case "conflict":
      throw new ConflictError(`cannot ${op} invocation '${id}': ${result.message}`);
    case "not-started":
      throw new NotStartedError(`cannot ${op} invocation '${id}': ${result.message}`);
  }
}
