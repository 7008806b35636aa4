// cairn invoke <Service/handler> [json] and <Object/key/handler> [json]: a call (waits for the
// result) or, with --send, a one-way send through the ingress (RESTATE-PROTOCOL.md §6.1).

import { defaultInvokeTimeoutMs } from "../constants.js";
import type { CommandSpec } from "../context.js";
import { BadResponseError, UsageError } from "../errors.js";
import { apiError } from "../http-client.js";
import { decodeValue } from "../sql-query.js";

/** `Svc/handler` or `Obj/key/handler` (a key may itself contain `/`) as an ingress path. */
export function ingressPath(target: string): string {
  const parts = target.split("/");
  const service = parts[0] ?? "";
  const handler = parts[parts.length - 1] ?? "";
  if (parts.length < 2 || service === "" || handler === "") throw new UsageError(`<target>: expected Service/handler or Object/key/handler, got '${target}'`);
  const segments = parts.length === 2 ? [service, handler] : [service, parts.slice(1, -1).join("/"), handler];
  return `/${segments.map(encodeURIComponent).join("/")}`;
}

export const invokeCommands: readonly CommandSpec[] = [
  {
    path: ["invoke"],
    summary: "Call a handler through the ingress and print its result",
    details: "Without --send it waits for the result (up to --timeout, default 5 minutes) and prints the output; with --send it prints the invocation id.",
    positionals: [
      { name: "target", required: true, description: "Service/handler, or Object/key/handler for virtual objects and workflows" },
      { name: "input", required: false, description: "the input as JSON (omit for no input)" },
    ],
    options: [
      { name: "send", kind: "boolean", description: "fire and forget: answer with the invocation id at once" },
      { name: "delay", kind: "string", value: "<duration>", description: "with --send: start after this delay (e.g. 10s, 5m)" },
      { name: "idempotency-key", kind: "string", value: "<key>", description: "deduplicate calls with the same key" },
      { name: "header", kind: "list", short: "H", value: "<name:value>", description: "extra request header, passed to the handler (repeatable)" },
      { name: "raw", kind: "boolean", description: "send the input text as is (content-type text/plain), not as JSON" },
    ],
    examples: [`cairn invoke Greeter/greet '"Ada"'`, "cairn invoke Counter/alice/add 5", "cairn invoke Mailer/send '{\"to\":\"a@b.c\"}' --send --delay 10m"],
    async run(context, args) {
      let path = ingressPath(args.positional.target ?? "");
      const send = args.flag("send");
      const delay = args.string("delay");
      if (delay !== undefined && !send) throw new UsageError("--delay only applies with --send");
      if (send) path += `/send${delay === undefined ? "" : `?delay=${encodeURIComponent(delay)}`}`;
      const headers: Record<string, string> = {};
      for (const value of args.list("header")) {
        const at = value.indexOf(":");
        if (at <= 0) throw new UsageError(`--header: expected name:value, got '${value}'`);
        headers[value.slice(0, at).trim()] = value.slice(at + 1).trim();
      }
      const key = args.string("idempotency-key");
      if (key !== undefined) headers["idempotency-key"] = key;
      const input = args.positional.input;
      if (input !== undefined) {
        if (args.flag("raw")) headers["content-type"] ??= "text/plain";
        else {
          try {
            JSON.parse(input);
          } catch (error) {
            throw new UsageError(`<input> is not JSON (${(error as Error).message}); quote strings ('"text"') or pass --raw`);
          }
          headers["content-type"] ??= "application/json";
        }
      }
      const response = await context.ingress.request("POST", path, {
        headers,
        ...(input === undefined ? {} : { rawBody: input }),
        timeoutMs: context.timeoutMs ?? defaultInvokeTimeoutMs,
      });
      if (response.status < 200 || response.status > 299) throw apiError(response, "POST", path);
      const invocationId = response.headers.get("x-restate-id") ?? undefined;
      if (send) {
        let accepted: { invocationId?: string; status?: string };
        try {
          accepted = JSON.parse(response.text()) as typeof accepted;
        } catch {
          throw new BadResponseError(`POST ${path} answered ${response.status} without the JSON of an accepted send`);
        }
        if (context.json) return context.printJson(accepted);
        return context.out(`${accepted.status ?? "Accepted"} ${accepted.invocationId ?? invocationId ?? ""}\n`);
      }
      if (context.json) return context.printJson({ invocation_id: invocationId ?? null, status: response.status, output: response.body.length === 0 ? null : decodeValue(response.body) });
      if (response.body.length > 0) context.out(`${response.text()}\n`);
    },
  },
];
