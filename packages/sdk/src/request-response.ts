// Request/response mode shared by the HTTP/1.1, fetch and Lambda adapters: the whole request body
// is known up front; the attempt runs until its terminal frame (suspending at the first await
// that the journal cannot answer), and the collected frames form the response body.
import type { InvokeRoute } from "./endpoint.js";

export function runRequestResponse(route: InvokeRoute, body: Uint8Array): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve) => {
    const chunks: Uint8Array[] = [];
    const attempt = route.start({
      write: (bytes) => chunks.push(bytes),
      closed: () => resolve(concat(chunks)),
    });
    attempt.push(body);
    attempt.endInput();
  });
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
