// h2c connections to deployments: one connection per origin takes new requests; it is replaced
// when it retires (GOAWAY, error, close, stream ids used up) and the retired one finishes its
// streams.
//
// Owns: the H2cConnection objects. Does not own: streams (connection.ts), attempts (attempt.ts).
//
// P1. At most one connection per origin takes new requests; a retired connection never does again.
// P2. A retired connection is not destroyed while it has streams (C6); `close()` drains them all.
import { connectTimeoutMs } from "../constants.js";
import { H2cConnection, type H2cRequest, type H2cStreamHandler } from "./connection.js";

export interface H2cPoolOptions {
  /** Highest stream id per connection (tests lower it). */
  streamIdMax?: number;
  connectTimeoutMs?: number;
}

interface Origin {
  host: string;
  port: number;
  authority: string;
}

export class H2cPool {
  readonly #options: H2cPoolOptions;
  /** The connection taking new requests, per origin (P1). */
  readonly #current = new Map<string, H2cConnection>();
  /** Every connection not yet closed (current and retired). */
  readonly #live = new Set<H2cConnection>();
  readonly #origins = new Map<string, Origin>();
  #closed = false;

  constructor(options: H2cPoolOptions = {}) {
    this.#options = options;
  }

  /**
   * Starts a request to `origin` (`http://host:port`) over prior-knowledge h2c. `headers` is a
   * flat [name, value, …] list of lower-case regular headers. Throws H2cConnectionError when no
   * stream can be started (the pool is closed, or too many streams wait on the connection).
   */
  request(origin: string, method: string, path: string, headers: readonly string[], handler: H2cStreamHandler): H2cRequest {
    if (this.#closed) throw new Error("h2c pool is closed");
    let connection = this.#current.get(origin);
    if (connection === undefined || !connection.available) {
      connection = this.#connect(origin);
    }
    return connection.request(method, path, headers, handler);
  }

  /** Connections not yet closed, retired ones included. */
  get size(): number {
    for (const connection of this.#live) if (connection.closed) this.#live.delete(connection);
    return this.#live.size;
  }

  /** No new requests; every connection closes once its streams are done (P2). */
  close(): void {
    this.#closed = true;
    for (const connection of this.#live) connection.close();
    this.#current.clear();
  }

  #connect(origin: string): H2cConnection {
    let parsed = this.#origins.get(origin);
    if (parsed === undefined) {
      const url = new URL(origin);
      if (url.protocol !== "http:") throw new Error(`h2c needs an http:// origin, got ${origin}`);
      const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
      parsed = { host, port: url.port === "" ? 80 : Number(url.port), authority: url.host };
      this.#origins.set(origin, parsed);
    }
    for (const connection of this.#live) if (connection.closed) this.#live.delete(connection);
    const options = {
      ...parsed,
      connectTimeoutMs: this.#options.connectTimeoutMs ?? connectTimeoutMs,
      onRetire: (retired: H2cConnection): void => {
        if (this.#current.get(origin) === retired) this.#current.delete(origin);
        retired.close();
      },
      ...(this.#options.streamIdMax !== undefined ? { streamIdMax: this.#options.streamIdMax } : {}),
    };
    const connection = new H2cConnection(options);
    this.#current.set(origin, connection);
    this.#live.add(connection);
    return connection;
  }
}
