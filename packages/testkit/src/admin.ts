// Minimal admin-API calls the compatibility tests share (works against Restate and Cairn alike).

export interface RegisterOptions {
  force?: boolean;
  useHttp11?: boolean;
}

/** `POST /deployments`; throws with the response body on a non-2xx answer. */
export async function registerDeployment(adminUrl: string, uri: string, options: RegisterOptions = {}): Promise<unknown> {
  const response = await fetch(`${adminUrl}/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      uri,
      force: options.force ?? true,
      ...(options.useHttp11 === true ? { use_http_11: true } : {}),
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`register ${uri}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/**
 * Calls an ingress URL, retrying while the server answers 503 (partitions not ready yet) or 404
 * for at most `notFoundRetryMs` (a just-registered service can take a moment to be routable).
 */
export async function ingressCall(
  url: string,
  init: RequestInit & { readyTimeoutMs?: number; notFoundRetryMs?: number } = {},
): Promise<Response> {
  const started = Date.now();
  const readyTimeoutMs = init.readyTimeoutMs ?? 15_000;
  const notFoundRetryMs = init.notFoundRetryMs ?? 2_000;
  for (;;) {
    const response = await fetch(url, init);
    const elapsedMs = Date.now() - started;
    const retry =
      (response.status === 503 && elapsedMs < readyTimeoutMs) ||
      (response.status === 404 && elapsedMs < notFoundRetryMs);
    if (!retry) return response;
    await response.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
}
