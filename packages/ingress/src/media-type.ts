// Matching a request's `content-type` against what a handler declares (RESTATE-PROTOCOL.md §5.2).
//
//   content-type => type "/" subtype *( OWS ";" OWS parameter )        RFC 9110 §8.3
//   declared     => 1#( range *( OWS ";" OWS parameter ) )             like an Accept value
//   range        => "*/*" | type "/*" | type "/" subtype
//
// Parameters are ignored on both sides, names compare case-insensitively.

/** A compiled declared content type: a list of ranges (`*` = any). */
export interface MediaRanges {
  readonly source: string;
  readonly ranges: readonly { readonly type: string; readonly subtype: string }[];
}

export function compileMediaRanges(declared: string): MediaRanges {
  const ranges: { type: string; subtype: string }[] = [];
  for (const part of declared.split(",")) {
    const essence = essenceOf(part);
    if (essence === undefined) continue;
    ranges.push(essence);
  }
  return { source: declared, ranges };
}

/** Whether `contentType` (a request header value) falls in one of the ranges. */
export function matchesMediaRanges(ranges: MediaRanges, contentType: string): boolean {
  const actual = essenceOf(contentType);
  if (actual === undefined) return false;
  for (const range of ranges.ranges) {
    if (range.type !== "*" && range.type !== actual.type) continue;
    if (range.subtype !== "*" && range.subtype !== actual.subtype) continue;
    return true;
  }
  return false;
}

function essenceOf(value: string): { type: string; subtype: string } | undefined {
  const semicolon = value.indexOf(";");
  const bare = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const slash = bare.indexOf("/");
  if (slash <= 0 || slash === bare.length - 1) return undefined;
  return { type: bare.slice(0, slash), subtype: bare.slice(slash + 1) };
}
