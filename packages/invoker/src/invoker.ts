// The invoker: runs attempts over pooled HTTP/2 sessions (or HTTP/1.1 requests) and picks the
// protocol version of a new invocation.
import { Attempt, type AttemptListener, type AttemptRequest } from "./attempt.js";
import { protocolVersionMax, protocolVersionMin } from "./constants.js";
import { UnsupportedProtocolVersionError } from "./errors.js";
import { H2cPool } from "./h2c/pool.js";
import { SessionPool } from "./session-pool.js";

export interface InvokerOptions {
  /**
   * HTTP/2 client for `http://` deployments: "h2c" (this package's client, the default) or "node"
   * (node:http2, kept as a fallback). `https://` deployments always use node:http2 (TLS + ALPN).
   * Default: "node" when the environment sets CAIRN_INVOKER_HTTP2_CLIENT=node, else "h2c".
   */
  http2Client?: "h2c" | "node";
}

/**
 * The version a new invocation is pinned to (D6): the highest both sides speak. Throws when the
 * deployment's range does not overlap V5..V7.
 */
export function chooseProtocolVersion(deploymentMin: number, deploymentMax: number): number {
  const version = Math.min(deploymentMax, protocolVersionMax);
  if (version < Math.max(deploymentMin, protocolVersionMin)) throw new UnsupportedProtocolVersionError(deploymentMin, deploymentMax);
  return version;
}

export class Invoker {
  readonly #pool = new SessionPool();
  readonly #h2c: H2cPool | undefined;
  readonly #live = new Set<Attempt>();
  #http1 = 0;
  #closed = false;

  constructor(options: InvokerOptions = {}) {
    const client = options.http2Client ?? (process.env["CAIRN_INVOKER_HTTP2_CLIENT"] === "node" ? "node" : "h2c");
    this.#h2c = client === "h2c" ? new H2cPool() : undefined;
  }

  /** Starts one attempt; see Attempt for the contract. */
  start(request: AttemptRequest, listener: AttemptListener): Attempt {
    if (this.#closed) throw new Error("invoker is closed");
    const attempt = Attempt.start(this.#pool, request, listener, this.#h2c);
    this.#live.add(attempt);
    const http1 = request.deployment.useHttp11;
    if (http1) this.#http1 += 1;
    void attempt.done.then(() => {
      this.#live.delete(attempt);
      if (http1) this.#http1 -= 1;
    });
    return attempt;
  }

  /** Open connections to deployments: pooled HTTP/2 sessions, and HTTP/1.1 attempts in flight (one request each). */
  get connections(): { http2: number; http1: number } {
    return { http2: this.#pool.size + (this.#h2c?.size ?? 0), http1: this.#http1 };
  }

  /** Attempts still running. */
  get liveAttempts(): number {
    return this.#live.size;
  }

  /** Aborts every live attempt and closes the sessions. */
  close(): void {
    this.#closed = true;
    for (const attempt of this.#live) attempt.abort("invoker closed");
    this.#pool.close();
    this.#h2c?.close();
  }
}
