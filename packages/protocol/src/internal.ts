// Test-only access to internals; never re-exported from index.ts.
export { decodeBase62, encodeBase62, base62Width } from "./base62.js";
export { decodeBase64Url, encodeBase64Url } from "./base64url.js";
export { decodeWithSchema, encodeWithSchema } from "./message-codec.js";
