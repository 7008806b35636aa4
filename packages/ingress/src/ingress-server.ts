// Starting the ingress: uWebSockets.js when its native build loads here, node:http otherwise
// (or when asked). The caller logs which one serves, and why uWS did not when it fell back.

import { UnsupportedImplementationError } from "./errors.js";
import type { IngressHandler } from "./ingress-handler.js";
import { startNodeTransport } from "./node-transport.js";
import type { IngressImplementation, IngressTransport } from "./transport.js";
import { loadUws, startUwsTransport } from "./uws-transport.js";

export interface StartIngressOptions {
  readonly handler: IngressHandler;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number;
  /** `auto` (default): uWS if its native build loads, else node:http. */
  readonly implementation?: IngressImplementation | "auto";
}

export interface IngressServer extends IngressTransport {
  /** Set when `auto` fell back to node:http: why uWS is not serving. */
  readonly fallbackReason?: string;
}

export async function startIngress(options: StartIngressOptions): Promise<IngressServer> {
  const transportOptions = { host: options.host ?? "127.0.0.1", port: options.port ?? 8080 };
  const wanted = options.implementation ?? "auto";
  if (wanted === "node") return startNodeTransport(options.handler, transportOptions);
  const uws = loadUws();
  if (uws.ok) return startUwsTransport(uws.uws, options.handler, transportOptions);
  if (wanted === "uws") throw new UnsupportedImplementationError(uws.reason);
  const transport = await startNodeTransport(options.handler, transportOptions);
  return {
    implementation: transport.implementation,
    port: transport.port,
    get openRequests() {
      return transport.openRequests;
    },
    close: (graceMs?: number) => transport.close(graceMs),
    fallbackReason: uws.reason,
  };
}

/** Whether the native uWS build loads on this Node, and if not why. */
export function uwsAvailability(): { available: true } | { available: false; reason: string } {
  const uws = loadUws();
  return uws.ok ? { available: true } : { available: false, reason: uws.reason };
}
