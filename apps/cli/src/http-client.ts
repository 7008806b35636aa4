// HTTP to the admin API and the ingress with fetch: a timeout on every request, a bound on every
// response body, and failures turned into CliErrors that say which server, which URL, and why.

import { responseBytesMax } from "./constants.js";
import { ApiError, BadResponseError, UnreachableError } from "./errors.js";

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  text(): string;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** A body sent as is (not JSON-encoded), with the content-type from `headers`. */
  readonly rawBody?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export class HttpClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    /** `admin API` or `ingress`, for messages. */
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** Sends one request; any status is returned, only transport failures throw. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.url(path);
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new UnreachableError(`cannot reach the ${this.what} at ${this.baseUrl}: ${transportReason(error, timeoutMs)}`);
    }
    let bytes: Buffer;
    try {
      bytes = await readBounded(response, url);
    } catch (error) {
      if (error instanceof BadResponseError) throw error;
      throw new UnreachableError(`the ${this.what} at ${this.baseUrl} broke off its answer to ${method} ${path}: ${transportReason(error, timeoutMs)}`);
    }
    return { status: response.status, headers: response.headers, body: bytes, text: () => bytes.toString("utf8") };
  }

  /** Sends a request and parses a 2xx JSON answer; any other status is an ApiError. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    if (response.status < 200 || response.status > 299) throw apiError(response, method, path);
    if (response.body.length === 0) return undefined as T;
    try {
      return JSON.parse(response.text()) as T;
    } catch {
      throw new BadResponseError(`${method} ${this.url(path)} answered ${response.status} with a body that is not JSON: ${response.text().slice(0, 200)}`);
    }
  }
}

/** The server's own message (`{"message"}` of the admin API and ingress) with the status. */
export function apiError(response: HttpResponse, method: string, path: string): ApiError {
  const text = response.text();
  let message = text.trim();
  let restateCode: string | undefined;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; restate_code?: unknown; code?: unknown };
    if (typeof parsed.message === "string") message = parsed.message;
    if (typeof parsed.restate_code === "string") restateCode = parsed.restate_code;
  } catch {
    // not JSON: keep the text
  }
  if (message === "") message = "(empty body)";
  const code = restateCode === undefined ? "" : ` [${restateCode}]`;
  return new ApiError(`${method} ${path} failed with ${response.status}${code}: ${message}`, response.status, restateCode);
}

function transportReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause !== undefined && cause !== null) {
    if (typeof cause.code === "string" && typeof cause.message === "string") return cause.message.includes(cause.code) ? cause.message : `${cause.code} ${cause.message}`;
    if (typeof cause.message === "string") return cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

async function readBounded(response: Response, url: string): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let bytes = 0;
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  for (;;) {
    const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (chunk.done || chunk.value === undefined) break;
    const value = chunk.value;
    bytes += value.byteLength;
    if (bytes > responseBytesMax) {
      await reader.cancel();
      throw new BadResponseError(`the answer from ${url} is over ${responseBytesMax} bytes; narrow the request (a LIMIT, a filter)`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
