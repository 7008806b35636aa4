// cairn deployments register|list|describe|remove: the admin API's /deployments routes.

import { UsageError } from "../errors.js";
import { timeout, type CommandSpec } from "../context.js";
import { renderFields, renderTable } from "../table.js";
import { confirm } from "../terminal.js";

interface ServiceRef {
  readonly name: string;
  readonly revision: number;
}

interface Deployment {
  readonly id: string;
  readonly uri?: string;
  readonly arn?: string;
  readonly protocol_type?: string;
  readonly http_version?: string;
  readonly created_at?: string;
  readonly min_protocol_version?: number;
  readonly max_protocol_version?: number;
  readonly sdk_version?: string | null;
  readonly additional_headers?: Record<string, string>;
  readonly services: readonly (ServiceRef & { ty?: string; handlers?: readonly { name: string }[] })[];
}

interface Registered {
  readonly id: string;
  readonly services: readonly { name: string; revision: number; ty?: string; handlers?: readonly { name: string }[] }[];
  readonly sdk_version?: string | null;
}

const encode = encodeURIComponent;

function endpoint(d: Deployment): string {
  return d.uri ?? d.arn ?? "";
}

function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const at = value.search(/[:=]/);
    if (at <= 0) throw new UsageError(`--header: expected name:value, got '${value}'`);
    headers[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return headers;
}

export const deploymentCommands: readonly CommandSpec[] = [
  {
    path: ["deployments", "register"],
    summary: "Register (discover) a service endpoint",
    details: "The server calls the endpoint's discovery route and registers every service it offers.",
    positionals: [{ name: "uri", required: true, description: "the endpoint's base URL, e.g. http://127.0.0.1:9080" }],
    options: [
      { name: "force", kind: "boolean", description: "overwrite a deployment with the same URI, allowing breaking changes" },
      { name: "breaking", kind: "boolean", description: "allow incompatible changes to existing services" },
      { name: "http1.1", kind: "boolean", description: "talk HTTP/1.1 (request/response) to the endpoint instead of HTTP/2" },
      { name: "header", kind: "list", short: "H", value: "<name:value>", description: "extra header sent on discovery and every invocation (repeatable)" },
      { name: "dry-run", kind: "boolean", description: "discover and validate only; register nothing" },
    ],
    examples: ["cairn deployments register http://127.0.0.1:9080", "cairn deployments register http://10.0.0.5:9080 --force -H authorization:secret"],
    async run(context, args) {
      const uri = args.positional.uri ?? "";
      try {
        new URL(uri);
      } catch {
        throw new UsageError(`<uri>: not a URL: '${uri}'`);
      }
      const headers = parseHeaders(args.list("header"));
      const body: Record<string, unknown> = { uri };
      if (Object.keys(headers).length > 0) body.additional_headers = headers;
      if (args.has("force")) body.force = args.flag("force");
      if (args.flag("breaking")) body.breaking = true;
      if (args.flag("http1.1")) body.use_http_11 = true;
      if (args.flag("dry-run")) body.dry_run = true;
      const response = await context.admin.json<Registered>("POST", "/deployments", { body, ...timeout(context) });
      if (context.json) return context.printJson(response);
      const verb = args.flag("dry-run") ? "Would register" : "Registered";
      context.out(`${verb} deployment ${context.style.bold(response.id)}${response.sdk_version ? ` (${response.sdk_version})` : ""}\n`);
      context.out(
        renderTable(
          context.style,
          ["SERVICE", "TYPE", "REVISION", "HANDLERS"],
          response.services.map((s) => [s.name, s.ty ?? "", s.revision, (s.handlers ?? []).map((h) => h.name).join(", ")]),
        ),
      );
    },
  },
  {
    path: ["deployments", "list"],
    summary: "List registered deployments",
    positionals: [],
    options: [],
    examples: ["cairn deployments list", "cairn deployments list --json"],
    async run(context) {
      const { deployments } = await context.admin.json<{ deployments: Deployment[] }>("GET", "/deployments", timeout(context));
      if (context.json) return context.printJson(deployments);
      if (deployments.length === 0) return context.out("No deployments.\n");
      context.out(
        renderTable(
          context.style,
          ["ID", "ENDPOINT", "TRANSPORT", "SDK", "CREATED", "SERVICES"],
          deployments.map((d) => [d.id, endpoint(d), d.http_version ?? (d.arn === undefined ? "" : "lambda"), d.sdk_version ?? "", d.created_at, d.services.map((s) => `${s.name}@${s.revision}`).join(", ")]),
        ),
      );
    },
  },
  {
    path: ["deployments", "describe"],
    summary: "Show one deployment and the services it serves",
    positionals: [{ name: "id", required: true, description: "deployment id (dp_…)" }],
    options: [],
    examples: ["cairn deployments describe dp_11nGQpCRmau6ypL82KH2TnP"],
    async run(context, args) {
      const d = await context.admin.json<Deployment>("GET", `/deployments/${encode(args.positional.id ?? "")}`, timeout(context));
      if (context.json) return context.printJson(d);
      context.out(
        renderFields(context.style, [
          ["ID", d.id],
          ["Endpoint", endpoint(d)],
          ["Transport", d.http_version],
          ["Protocol style", d.protocol_type],
          ["Protocol versions", d.min_protocol_version === undefined ? undefined : `${d.min_protocol_version}–${d.max_protocol_version ?? "?"}`],
          ["SDK", d.sdk_version ?? undefined],
          ["Created at", d.created_at],
          ["Headers", d.additional_headers === undefined ? undefined : Object.keys(d.additional_headers).join(", ")],
        ]),
      );
      context.out("\n");
      context.out(
        renderTable(
          context.style,
          ["SERVICE", "TYPE", "REVISION", "HANDLERS"],
          d.services.map((s) => [s.name, s.ty ?? "", s.revision, (s.handlers ?? []).map((h) => h.name).join(", ")]),
        ),
      );
    },
  },
  {
    path: ["deployments", "remove"],
    summary: "Remove a deployment (its services disappear unless another deployment serves them)",
    details: "Asks for confirmation unless --yes. In-flight invocations pinned to it will fail to make progress.",
    positionals: [{ name: "id", required: true, description: "deployment id (dp_…)" }],
    options: [],
    examples: ["cairn deployments remove dp_11nGQpCRmau6ypL82KH2TnP --yes"],
    async run(context, args) {
      const id = args.positional.id ?? "";
      const d = await context.admin.json<Deployment>("GET", `/deployments/${encode(id)}`, timeout(context));
      await confirm(context.terminal, context.errStyle, `Remove deployment ${id} (${endpoint(d)}, services ${d.services.map((s) => s.name).join(", ")})?`, context.yes);
      await context.admin.json("DELETE", `/deployments/${encode(id)}?force=true`, timeout(context));
      if (context.json) return context.printJson({ id, removed: true });
      context.out(`Removed deployment ${id}\n`);
    },
  },
];
