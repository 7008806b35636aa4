// cairn services list|describe|config view|config patch: the admin API's /services routes.

import { timeout, type CommandSpec } from "../context.js";
import { UsageError } from "../errors.js";
import { cellText, renderFields, renderTable } from "../table.js";

interface Handler {
  readonly name: string;
  readonly ty?: string | null;
  readonly input_description?: string;
  readonly output_description?: string;
  readonly public?: boolean;
}

interface Service {
  readonly name: string;
  readonly ty: string;
  readonly revision: number;
  readonly deployment_id: string;
  readonly public: boolean;
  readonly handlers: readonly Handler[];
  readonly documentation?: string | null;
  readonly idempotency_retention?: string | null;
  readonly workflow_completion_retention?: string | null;
  readonly journal_retention?: string | null;
  readonly inactivity_timeout?: string | null;
  readonly abort_timeout?: string | null;
  readonly enable_lazy_state?: boolean | null;
  readonly retry_policy?: Readonly<Record<string, unknown>> | null;
}

const encode = encodeURIComponent;

/** The settings `config view` shows and `config patch` changes (PATCH /services/{name} fields). */
const durationSettings = [
  ["idempotency-retention", "idempotency_retention"],
  ["workflow-completion-retention", "workflow_completion_retention"],
  ["journal-retention", "journal_retention"],
  ["inactivity-timeout", "inactivity_timeout"],
  ["abort-timeout", "abort_timeout"],
] as const;

function config(service: Service): Record<string, unknown> {
  const out: Record<string, unknown> = { public: service.public };
  for (const [, field] of durationSettings) out[field] = service[field] ?? null;
  out.enable_lazy_state = service.enable_lazy_state ?? null;
  out.retry_policy = service.retry_policy ?? null;
  return out;
}

function configFields(service: Service): [string, string][] {
  return Object.entries(config(service)).map(([key, value]) => [key, value === null ? "(default)" : cellText(value)]);
}

export const serviceCommands: readonly CommandSpec[] = [
  {
    path: ["services", "list"],
    summary: "List registered services",
    positionals: [],
    options: [],
    examples: ["cairn services list", "cairn services list --json"],
    async run(context) {
      const { services } = await context.admin.json<{ services: Service[] }>("GET", "/services", timeout(context));
      services.sort((a, b) => a.name.localeCompare(b.name));
      if (context.json) return context.printJson(services);
      if (services.length === 0) return context.out("No services. Register a deployment first: cairn deployments register <uri>\n");
      context.out(
        renderTable(
          context.style,
          ["NAME", "TYPE", "REVISION", "PUBLIC", "HANDLERS", "DEPLOYMENT"],
          services.map((s) => [s.name, s.ty, s.revision, s.public, s.handlers.length, s.deployment_id]),
        ),
      );
    },
  },
  {
    path: ["services", "describe"],
    summary: "Show a service: its type, deployment, settings and handlers",
    positionals: [{ name: "service", required: true, description: "service name" }],
    options: [],
    examples: ["cairn services describe Greeter"],
    async run(context, args) {
      const s = await context.admin.json<Service>("GET", `/services/${encode(args.positional.service ?? "")}`, timeout(context));
      if (context.json) return context.printJson(s);
      context.out(
        renderFields(context.style, [
          ["Name", s.name],
          ["Type", s.ty],
          ["Revision", s.revision],
          ["Public", s.public],
          ["Deployment", s.deployment_id],
          ["Documentation", s.documentation ?? undefined],
        ]),
      );
      context.out("\n");
      context.out(
        renderTable(
          context.style,
          ["HANDLER", "TYPE", "INPUT", "OUTPUT"],
          s.handlers.map((h) => [h.name, h.ty ?? "", h.input_description ?? "", h.output_description ?? ""]),
        ),
      );
    },
  },
  {
    path: ["services", "config", "view"],
    summary: "Show a service's settings (visibility, retention, timeouts, retry policy)",
    positionals: [{ name: "service", required: true, description: "service name" }],
    options: [],
    examples: ["cairn services config view Greeter"],
    async run(context, args) {
      const s = await context.admin.json<Service>("GET", `/services/${encode(args.positional.service ?? "")}`, timeout(context));
      if (context.json) return context.printJson(config(s));
      context.out(renderFields(context.style, configFields(s)));
    },
  },
  {
    path: ["services", "config", "patch"],
    summary: "Change a service's settings",
    details: "Durations take the friendly form (30s, 10m, 1h 30m, 1d) or ISO 8601 (PT10S).",
    positionals: [{ name: "service", required: true, description: "service name" }],
    options: [
      { name: "public", kind: "string", value: "<true|false>", description: "whether the ingress may call it" },
      ...durationSettings.map(([flag, field]) => ({ name: flag, kind: "string" as const, value: "<duration>", description: `sets ${field}` })),
    ],
    examples: ["cairn services config patch Greeter --public false", "cairn services config patch Greeter --idempotency-retention 2d --inactivity-timeout 30s"],
    async run(context, args) {
      const body: Record<string, unknown> = {};
      const visible = args.string("public");
      if (visible !== undefined) {
        if (visible !== "true" && visible !== "false") throw new UsageError(`--public: expected true or false, got '${visible}'`);
        body.public = visible === "true";
      }
      for (const [flag, field] of durationSettings) {
        const value = args.string(flag);
        if (value === undefined) continue;
        if (value.trim() === "") throw new UsageError(`--${flag}: expected a duration such as 30s or 1d`);
        body[field] = value;
      }
      if (Object.keys(body).length === 0) throw new UsageError("nothing to change: give at least one of --public, " + durationSettings.map(([f]) => `--${f}`).join(", "));
      const s = await context.admin.json<Service>("PATCH", `/services/${encode(args.positional.service ?? "")}`, { body, ...timeout(context) });
      if (context.json) return context.printJson(config(s));
      context.out(`Updated ${s.name}\n`);
      context.out(renderFields(context.style, configFields(s)));
    },
  },
];
