// Content types of the service protocol and the discovery manifest, and version negotiation
// (RESTATE-PROTOCOL.md §2, §5.1).
//
//   invocation  => "application/vnd.restate.invocation.v" N                 N in 5..7
//   manifest    => "application/vnd.restate.endpointmanifest.v" N "+json"   N in 2..4
//   Accept      => #( media-range *( OWS ";" OWS parameter ) )              RFC 9110 §12.5.1
//
// The invocation content type is matched exactly: SDK 1.17.2 rejects any parameter (even
// `; charset=utf-8`) with 415, so a server must send the bare type, and Cairn's SDK rejects what
// the official one rejects.

import {
  INVOCATION_PROTOCOL_VERSION_MAX,
  INVOCATION_PROTOCOL_VERSION_MIN,
  MANIFEST_VERSION_MAX,
  MANIFEST_VERSION_MIN,
} from "./constants.js";
import { IncompatibleVersionsError, NotAcceptableError, UnsupportedContentTypeError } from "./errors.js";

/** Service-protocol versions implemented here. */
export type InvocationProtocolVersion = 5 | 6 | 7;
/** Discovery manifest versions implemented here. */
export type ManifestVersion = 2 | 3 | 4;

export const INVOCATION_PROTOCOL_VERSIONS: readonly InvocationProtocolVersion[] = Object.freeze([5, 6, 7]);
export const MANIFEST_VERSIONS: readonly ManifestVersion[] = Object.freeze([2, 3, 4]);

const INVOCATION_PREFIX = "application/vnd.restate.invocation.v";
const MANIFEST_PREFIX = "application/vnd.restate.endpointmanifest.v";
const MANIFEST_SUFFIX = "+json";

/** An inclusive range of protocol versions, as a manifest declares it. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

// ---- invocation protocol --------------------------------------------------------------------

export function isInvocationProtocolVersion(version: number): version is InvocationProtocolVersion {
  return Number.isInteger(version) && version >= INVOCATION_PROTOCOL_VERSION_MIN && version <= INVOCATION_PROTOCOL_VERSION_MAX;
}

/** `application/vnd.restate.invocation.vN` */
export function formatInvocationContentType(version: InvocationProtocolVersion): string {
  if (!isInvocationProtocolVersion(version)) throw new RangeError(`unsupported invocation protocol version ${String(version)}`);
  return `${INVOCATION_PREFIX}${version}`;
}

/**
 * The protocol version named by an invocation `content-type` header. Throws
 * UnsupportedContentTypeError (answer 415) when the header is missing, is not exactly an
 * invocation content type, or names a version outside 5..7.
 */
export function parseInvocationContentType(contentType: string | undefined): InvocationProtocolVersion {
  if (contentType === undefined || contentType === "") {
    throw new UnsupportedContentTypeError(contentType, "missing content-type header");
  }
  const version = versionAfterPrefix(contentType, INVOCATION_PREFIX, "");
  if (version === undefined) {
    throw new UnsupportedContentTypeError(contentType, `not a service protocol content type: ${JSON.stringify(contentType)}`);
  }
  if (!isInvocationProtocolVersion(version)) {
    throw new UnsupportedContentTypeError(
      contentType,
      `unsupported protocol version V${version}, not within [V${INVOCATION_PROTOCOL_VERSION_MIN} to V${INVOCATION_PROTOCOL_VERSION_MAX}]`,
    );
  }
  return version;
}

/**
 * The version a server uses for an invocation: the highest version both the deployment's range
 * and ours contain (Restate: `min(deploymentMax, serverMax)`, §2.3). Throws
 * IncompatibleVersionsError when the ranges do not overlap.
 */
export function negotiateInvocationVersion(
  deployment: VersionRange,
  ours: VersionRange = { min: INVOCATION_PROTOCOL_VERSION_MIN, max: INVOCATION_PROTOCOL_VERSION_MAX },
): InvocationProtocolVersion {
  const low = Math.max(deployment.min, ours.min, INVOCATION_PROTOCOL_VERSION_MIN);
  const high = Math.min(deployment.max, ours.max, INVOCATION_PROTOCOL_VERSION_MAX);
  if (low > high) throw new IncompatibleVersionsError(deployment, ours);
  return high as InvocationProtocolVersion;
}

// ---- discovery manifest ---------------------------------------------------------------------

export function isManifestVersion(version: number): version is ManifestVersion {
  return Number.isInteger(version) && version >= MANIFEST_VERSION_MIN && version <= MANIFEST_VERSION_MAX;
}

/** `application/vnd.restate.endpointmanifest.vN+json` */
export function formatManifestContentType(version: ManifestVersion): string {
  if (!isManifestVersion(version)) throw new RangeError(`unsupported manifest version ${String(version)}`);
  return `${MANIFEST_PREFIX}${version}${MANIFEST_SUFFIX}`;
}

/**
 * The manifest version named by a discovery response's `content-type`. Parameters (e.g.
 * `; charset=utf-8`) are tolerated: it is a JSON body. Throws UnsupportedContentTypeError.
 */
export function parseManifestContentType(contentType: string | undefined): ManifestVersion {
  if (contentType === undefined || contentType === "") {
    throw new UnsupportedContentTypeError(contentType, "missing content-type header");
  }
  const mediaType = (contentType.split(";", 1)[0] ?? "").trim().toLowerCase();
  const version = versionAfterPrefix(mediaType, MANIFEST_PREFIX, MANIFEST_SUFFIX);
  if (version === undefined) {
    throw new UnsupportedContentTypeError(contentType, `not a discovery manifest content type: ${JSON.stringify(contentType)}`);
  }
  if (!isManifestVersion(version)) {
    throw new UnsupportedContentTypeError(
      contentType,
      `unsupported discovery manifest version v${version}, not within [v${MANIFEST_VERSION_MIN} to v${MANIFEST_VERSION_MAX}]`,
    );
  }
  return version;
}

/** The Accept header a server sends to `/discover`, listing `versions` (default v2..v4). */
export function formatManifestAccept(versions: readonly ManifestVersion[] = MANIFEST_VERSIONS): string {
  if (versions.length === 0) throw new RangeError("at least one manifest version is needed");
  return versions.map((v) => formatManifestContentType(v)).join(", ");
}

/**
 * Picks the manifest version to answer a discovery request with: the highest of `supported` that
 * the Accept header allows. Explicit media types and wildcards (`*\/*`, `application/*`) count;
 * `q=0` excludes. Throws NotAcceptableError when the header is missing or allows none (the
 * official SDK then answers 415).
 */
export function negotiateManifestVersion(
  accept: string | undefined,
  supported: readonly ManifestVersion[] = MANIFEST_VERSIONS,
): ManifestVersion {
  if (accept === undefined || accept.trim() === "") throw new NotAcceptableError(accept, "missing accept header");
  const ranges = parseAccept(accept);
  let best: ManifestVersion | undefined;
  for (const version of supported) {
    const type = formatManifestContentType(version);
    if (acceptQuality(ranges, type) > 0 && (best === undefined || version > best)) best = version;
  }
  if (best === undefined) {
    throw new NotAcceptableError(accept, `unsupported service discovery protocol version ${JSON.stringify(accept)}`);
  }
  return best;
}

// ---- Accept parsing -------------------------------------------------------------------------

/** One media range of an Accept header. */
export interface AcceptRange {
  /** Lower-cased `type/subtype`, possibly with wildcards. */
  readonly mediaType: string;
  /** Parameters other than q, names lower-cased. */
  readonly params: Readonly<Record<string, string>>;
  /** Quality in [0, 1]; 1 when absent or unparsable. */
  readonly q: number;
}

/** Parses an Accept header into its media ranges, in header order. Malformed entries are skipped. */
export function parseAccept(accept: string): AcceptRange[] {
  const ranges: AcceptRange[] = [];
  for (const part of splitOutsideQuotes(accept, ",")) {
    const [head, ...rest] = splitOutsideQuotes(part, ";");
    const mediaType = (head ?? "").trim().toLowerCase();
    if (!/^[^\s/]+\/[^\s/]+$/.test(mediaType)) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const param of rest) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      let value = param.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name === "q") {
        const parsed = Number(value);
        if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) q = parsed;
      } else if (name !== "") {
        params[name] = value;
      }
    }
    ranges.push({ mediaType, params, q });
  }
  return ranges;
}

/**
 * Quality the parsed Accept ranges give a media type: that of the most specific matching range
 * (exact, then `type/*`, then `*\/*`), or 0 when none matches.
 */
export function acceptQuality(ranges: readonly AcceptRange[], mediaType: string): number {
  const wanted = mediaType.toLowerCase();
  const slash = wanted.indexOf("/");
  const typeWildcard = `${wanted.slice(0, slash)}/*`;
  let bestSpecificity = -1;
  let quality = 0;
  for (const range of ranges) {
    const specificity =
      range.mediaType === wanted ? 2 : range.mediaType === typeWildcard ? 1 : range.mediaType === "*/*" ? 0 : -1;
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity;
      quality = range.q;
    }
  }
  return quality;
}

function versionAfterPrefix(value: string, prefix: string, suffix: string): number | undefined {
  if (!value.startsWith(prefix) || !value.endsWith(suffix)) return undefined;
  const digits = value.slice(prefix.length, value.length - suffix.length);
  if (!/^[0-9]{1,4}$/.test(digits)) return undefined;
  return Number(digits);
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === "\\" && quoted) i++;
    else if (c === separator && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}
