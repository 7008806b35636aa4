// The invoker: runs attempts over pooled HTTP/2 sessions (or HTTP/1.1 requests) and picks the
// protocol version of a new invocation.
import { Attempt, type AttemptListener, type AttemptRequest } from "./attempt.js";
import { protocolVersionMax, protocolVersionMin } from "./constants.js";
import { UnsupportedProtocolVersionError } from "./errors.js";
import { SessionPool } from "./session-pool.js";

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
  readonly #live = new Set<Attempt>();
  #http1 = 0;
  #closed = false;

  /** Starts one attempt; see Attempt for the contract. */
  start(request: AttemptRequest, listener: AttemptListener): Attempt {
    if (this.#closed) throw new Error("invoker is closed");
    const attempt = Attempt.start(this.#pool, request, listener);
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
    return { http2: this.#pool.size, http1: this.#http1 };
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
  }
}
