// Goal: request identity accepts the runtime's Ed25519 JWTs and rejects anything else with 401;
// method: sign JWTs with node:crypto the way restate-server does and call the endpoint core.
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { service, type Context } from "../src/index.js";
import { base58Encode, EndpointCore } from "../src/internal.js";

function keyPair(): { publicKey: string; signJwt: (claims: Record<string, unknown>) => string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const kid = `publickeyv1_${base58Encode(raw)}`;
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  return {
    publicKey: kid,
    signJwt: (claims) => {
      const head = `${b64({ typ: "JWT", alg: "EdDSA", kid })}.${b64(claims)}`;
      return `${head}.${sign(null, Buffer.from(head), privateKey).toString("base64url")}`;
    },
  };
}

const svc = service({ name: "Id", handlers: { hi: async (_ctx: Context): Promise<string> => Promise.resolve("hi") } });

function discover(core: EndpointCore, headers: Record<string, string>): number {
  const h = new Map(Object.entries({ accept: "application/vnd.restate.endpointmanifest.v4+json", ...headers }));
  const r = core.route({ method: "GET", path: "/discover", header: (n) => h.get(n), allHeaders: h }, "BIDI_STREAM");
  return r.kind === "response" ? r.status : 200;
}

describe("request identity", () => {
  const k = keyPair();
  const other = keyPair();
  const core = new EndpointCore();
  core.logger = () => undefined;
  core.bind(svc, {});
  core.setIdentityKeys([k.publicKey]);
  const now = Math.floor(Date.now() / 1000);
  const good = { aud: "/discover", iat: now, nbf: now - 60, exp: now + 60 };

  it("accepts a valid token", () => {
    expect(discover(core, { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": k.signJwt(good) })).toBe(200);
  });

  it.each([
    ["no headers", {}],
    ["unsigned scheme", { "x-restate-signature-scheme": "unsigned" }],
    ["another key", { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": other.signJwt(good) }],
    ["wrong audience", { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": k.signJwt({ ...good, aud: "/invoke/Id/hi" }) }],
    ["expired", { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": k.signJwt({ ...good, exp: now - 5 }) }],
    ["tampered", { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": k.signJwt(good).slice(0, -3) + "AAA" }],
  ])("rejects %s with 401", (_label, headers) => {
    expect(discover(core, headers as Record<string, string>)).toBe(401);
  });

  it("accepts everything when no key is configured", () => {
    const open = new EndpointCore();
    open.logger = () => undefined;
    open.bind(svc, {});
    expect(discover(open, {})).toBe(200);
  });
});
