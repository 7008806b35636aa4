// node:http2 sessions to deployments (https://, and http:// when the invoker is set to "node"):
// one session per origin, reused by every attempt to that origin.
//
// Owns: the ClientHttp2Session objects and their replacement. Does not own: streams (attempt.ts).
//
// S1. At most one live session per origin is handed out; a session that emitted `goaway`, `error`
//     or `close`, or has opened `sessionStreamsMax` streams, is never handed out again.
// S2. A retired session is not destroyed while it has open streams: they finish on it (GOAWAY lets
//     in-flight streams complete), and it closes itself after the last one.
import * as http2 from "node:http2";
import { sessionStreamsMax } from "./constants.js";

interface PooledSession {
  session: http2.ClientHttp2Session;
  opened: number;
}

export class SessionPool {
  readonly #sessions = new Map<string, PooledSession>();
  #closed = false;

  /** A session to `origin` (`http://host:port` or `https://…`): prior-knowledge h2c for http. */
  session(origin: string): http2.ClientHttp2Session {
    if (this.#closed) throw new Error("session pool is closed");
    let pooled = this.#sessions.get(origin);
    if (pooled !== undefined && (pooled.session.destroyed || pooled.session.closed || pooled.opened >= sessionStreamsMax)) {
      this.#retire(origin, pooled);
      pooled = undefined;
    }
    if (pooled === undefined) {
      const session = http2.connect(origin, { peerMaxConcurrentStreams: 1000 });
      const entry: PooledSession = { session, opened: 0 };
      const retire = (): void => this.#retire(origin, entry);
      session.on("goaway", retire);
      session.on("close", retire);
      session.on("error", retire);
      // An idle session must not keep the worker thread alive.
      session.unref();
      this.#sessions.set(origin, entry);
      pooled = entry;
    }
    pooled.opened += 1;
    return pooled.session;
  }

  /** Closes every session (in-flight streams are allowed to finish). */
  close(): void {
    this.#closed = true;
    for (const [origin, pooled] of this.#sessions) this.#retire(origin, pooled);
  }

  /** Number of sessions currently pooled (for tests). */
  get size(): number {
    return this.#sessions.size;
  }

  #retire(origin: string, pooled: PooledSession): void {
    if (this.#sessions.get(origin) === pooled) this.#sessions.delete(origin);
    if (!pooled.session.closed && !pooled.session.destroyed) pooled.session.close();
  }
}
