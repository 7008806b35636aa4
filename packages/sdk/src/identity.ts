// Request identity (`x-restate-jwt-v1`): verifies the runtime's Ed25519-signed JWT when the
// endpoint has public keys configured (`withIdentityV1("publickeyv1_…")`).
//
//   key   => "publickeyv1_" base58(32-byte Ed25519 public key)
//   JWT   => base64url(header) "." base64url(claims) "." base64url(signature)
//   header.alg = "EdDSA"; claims aud = "/invoke/{svc}/{handler}" | "/discover"; exp, iat, nbf required
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { JWT_LEEWAY_SECONDS } from "./constants.js";

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58Decode(text: string): Uint8Array {
  let n = 0n;
  for (const ch of text) {
    const d = B58.indexOf(ch);
    if (d < 0) throw new TypeError(`invalid base58 character '${ch}'`);
    n = n * 58n + BigInt(d);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const ch of text) {
    if (ch !== "1") break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

export function base58Encode(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  while (n > 0n) {
    out = B58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

export function parsePublicKey(key: string): KeyObject {
  if (!key.startsWith("publickeyv1_")) throw new TypeError(`request identity key must start with 'publickeyv1_': ${key}`);
  const raw = base58Decode(key.slice("publickeyv1_".length));
  if (raw.length !== 32) throw new TypeError(`request identity key must hold 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

export class IdentityVerifier {
  private readonly keys: KeyObject[];

  constructor(keys: readonly string[]) {
    this.keys = keys.map(parsePublicKey);
  }

  /** Returns undefined when the request is authentic, else the reason. */
  check(audience: string, headers: (name: string) => string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
    const scheme = headers("x-restate-signature-scheme");
    if (scheme !== "v1") return `signature scheme '${scheme ?? "(none)"}' is not accepted`;
    const jwt = headers("x-restate-jwt-v1");
    if (jwt === undefined) return "missing x-restate-jwt-v1";
    const parts = jwt.split(".");
    if (parts.length !== 3) return "malformed JWT";
    const [h, c, s] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: { aud?: unknown; exp?: unknown; iat?: unknown; nbf?: unknown };
    try {
      header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as typeof header;
      claims = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as typeof claims;
    } catch {
      return "malformed JWT";
    }
    if (header.alg !== "EdDSA") return `JWT algorithm ${String(header.alg)} is not accepted`;
    const signed = Buffer.from(`${h}.${c}`, "utf8");
    const signature = Buffer.from(s, "base64url");
    if (!this.keys.some((k) => verify(null, signed, k, signature))) return "JWT signature does not match any configured key";
    const aud = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (!aud.includes(audience)) return `JWT audience does not match ${audience}`;
    if (typeof claims.exp !== "number" || typeof claims.iat !== "number" || typeof claims.nbf !== "number") return "JWT lacks exp, iat or nbf";
    if (nowSeconds > claims.exp + JWT_LEEWAY_SECONDS) return "JWT expired";
    if (nowSeconds + JWT_LEEWAY_SECONDS < claims.nbf) return "JWT not yet valid";
    return undefined;
  }
}
