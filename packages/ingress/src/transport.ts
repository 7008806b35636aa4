// What both HTTP implementations of the ingress expose once listening.

export type IngressImplementation = "uws" | "node";

export interface IngressTransport {
  readonly implementation: IngressImplementation;
  readonly port: number;
  /** Requests whose answer has not been written yet. */
  readonly openRequests: number;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs`, then drops
   * what is left and closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

export interface TransportOptions {
  readonly host: string;
  readonly port: number;
}
