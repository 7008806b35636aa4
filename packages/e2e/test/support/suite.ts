// Shared set-up of the scenario files: the official-SDK fixture process (once per file), and one
// describe block per selected target, each with its own server and data directory, with the
// fixture registered through the admin API.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import {
  readSideEffects,
  selectedTargets,
  sideEffectLogSize,
  type SideEffect,
  type Target,
  type TargetEndpoints,
  type TargetName,
  type TargetSpec,
} from "@cairn/e2e";
import { ingressCall, registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";

/** Fixture start-up and server start-up budgets (2 shared cores; generous but bounded). */
export const setupTimeoutMs = 120_000;
/** Bound on any single HTTP request a scenario makes. */
export const requestTimeoutMs = 30_000;

export interface Services {
  url(): string;
  /** True when the fixture serves HTTP/1.1 request/response (registered with use_http_11). */
  readonly http1: boolean;
  sideEffects(): SideEffect[];
  sideEffectLogSize(): number;
}

/**
 * Starts `services/e2e-services.ts` (or `services/{fixture}.ts`) for this file; its side effects go to a temp file. By default
 * it serves HTTP/2 (bidirectional streaming); `http1` serves the SDK's HTTP/1.1 request/response
 * handler, where every await that is not journaled yet ends the attempt with a suspension.
 * `fixture` names another file of services/ (default `e2e-services`).
 */
export function useServices(options: { http1?: boolean; fixture?: string } = {}): Services {
  const http1 = options.http1 === true;
  const fixture = options.fixture ?? "e2e-services";
  let dir: string | undefined;
  let service: SdkService | undefined;
  const path = (): string => {
    if (dir === undefined) throw new Error("services not started");
    return join(dir, "side-effects.jsonl");
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cairn-e2e-services-"));
    service = await startOfficialService(fixture, {
      http1,
      env: { CAIRN_E2E_SIDE_EFFECTS: join(dir, "side-effects.jsonl") },
    });
  }, setupTimeoutMs);
  afterAll(async () => {
    await service?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return {
    http1,
    url: () => {
      if (service === undefined) throw new Error("services not started");
      return service.url;
    },
    sideEffects: () => readSideEffects(path()),
    sideEffectLogSize: () => sideEffectLogSize(path()),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Milliseconds since the epoch when the reply had been read completely. */
  readonly receivedAt: number;
  json<T>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A raw body (with its own content-type header) instead of the JSON `body` argument. */
  body?: string;
  /** How long a 404 is retried (a registration can take a moment to route); default 2 s. */
  notFoundRetryMs?: number;
  timeoutMs?: number;
}

/** One target under test, inside its describe block. */
export class Harness {
  readonly spec: TargetSpec;
  readonly #restateProtocolV7: boolean;
  #target: Target | undefined;
  #dataDir: string | undefined;

  constructor(spec: TargetSpec, restateProtocolV7 = false) {
    this.spec = spec;
    this.#restateProtocolV7 = restateProtocolV7;
  }

  get name(): string {
    return this.spec.name;
  }

  get target(): Target {
    if (this.#target === undefined) throw new Error(`target ${this.spec.name} not started`);
    return this.#target;
  }

  serverOutput(): string {
    return this.#target?.output() ?? "";
  }

  endpoints(): TargetEndpoints {
    return this.target.endpoints();
  }

  async start(services: Services): Promise<void> {
    this.#dataDir = mkdtempSync(join(tmpdir(), `cairn-e2e-${this.spec.name}-`));
    this.#target = this.spec.create({ restateProtocolV7: this.#restateProtocolV7 });
    const { adminUrl } = await this.#target.start({ dataDir: join(this.#dataDir, "data") });
    await registerDeployment(adminUrl, services.url(), { useHttp11: services.http1 });
  }

  async close(): Promise<void> {
    await this.#target?.close();
    if (this.#dataDir !== undefined) rmSync(this.#dataDir, { recursive: true, force: true });
  }

  /** An ingress request; `body` is sent as JSON unless undefined. */
  async request(path: string, body?: unknown, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(body === undefined ? {} : { "content-type": "application/json" }), ...options.headers };
    const payload = options.body ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await ingressCall(`${this.endpoints().ingressUrl}${path}`, {
      method: options.method ?? (payload === undefined ? "GET" : "POST"),
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      notFoundRetryMs: options.notFoundRetryMs ?? 2_000,
      signal: AbortSignal.timeout(options.timeoutMs ?? requestTimeoutMs),
    });
    const text = await response.text();
    const receivedAt = Date.now();
    return {
      status: response.status,
      headers: response.headers,
      text,
      receivedAt,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  /** A call that must succeed: returns the decoded JSON body, throws with the reply otherwise. */
  async call<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const reply = await this.request(path, body, options);
    if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.text}`);
    return reply.json<T>();
  }
}

export interface DescribeOptions {
  /**
   * Targets on which the whole block is known not to work yet, with the reason (e.g. a feature
   * that is a later issue there). They are reported as skipped with that reason, never as
   * passing; `CAIRN_E2E_RUN_PENDING=1` runs them anyway.
   */
  pending?: Partial<Record<TargetName, string>>;
  /** Start restate-server with service protocol V7 for this block (Cairn always negotiates V7). */
  restateProtocolV7?: boolean;
}

/**
 * One describe block per selected target (the equivalent of `describe.each(targets)`, with a
 * per-target skip): a target that cannot run here is reported as skipped with its reason.
 */
export function describeTargets(
  title: string,
  services: Services,
  body: (harness: Harness) => void,
  options: DescribeOptions = {},
): void {
  const runPending = process.env.CAIRN_E2E_RUN_PENDING === "1";
  for (const spec of selectedTargets()) {
    const pending = runPending ? undefined : options.pending?.[spec.name];
    const skipReason = spec.skipReason ?? (pending === undefined ? undefined : `pending on ${spec.name}: ${pending}`);
    const name = skipReason === undefined ? `${title} [${spec.name}]` : `${title} [${spec.name}] (skipped: ${skipReason})`;
    describe.skipIf(skipReason !== undefined)(name, () => {
      const harness = new Harness(spec, options.restateProtocolV7 === true);
      beforeAll(() => harness.start(services), setupTimeoutMs);
      afterAll(() => harness.close(), setupTimeoutMs);
      beforeEach(({ onTestFailed }) => {
        onTestFailed(() => {
          const output = harness.serverOutput().split("\n").slice(-60).join("\n");
          console.error(`--- last lines of ${spec.name} server output ---\n${output}`);
        });
      });
      body(harness);
    });
  }
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A unique tag per test run, so side effects of different targets and tests never mix. */
export function uniqueTag(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
