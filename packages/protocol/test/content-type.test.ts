// Goal: content types format and parse exactly, and negotiation picks the version the official
// SDK and Restate would; method: table-driven cases from §2 and §5.1.
import { describe, expect, it } from "vitest";
import {
  acceptQuality,
  formatInvocationContentType,
  formatManifestAccept,
  formatManifestContentType,
  IncompatibleVersionsError,
  negotiateInvocationVersion,
  negotiateManifestVersion,
  NotAcceptableError,
  parseAccept,
  parseInvocationContentType,
  parseManifestContentType,
  UnsupportedContentTypeError,
} from "@cairn/protocol";

describe("invocation content type", () => {
  it("formats and parses v5..v7", () => {
    for (const v of [5, 6, 7] as const) {
      expect(formatInvocationContentType(v)).toBe(`application/vnd.restate.invocation.v${v}`);
      expect(parseInvocationContentType(`application/vnd.restate.invocation.v${v}`)).toBe(v);
    }
    expect(() => formatInvocationContentType(4 as never)).toThrow(RangeError);
  });

  it("rejects what SDK 1.17.2 rejects with 415", () => {
    for (const bad of [
      undefined,
      "",
      "application/vnd.restate.invocation.v4",
      "application/vnd.restate.invocation.v8",
      "application/vnd.restate.invocation.v7; charset=utf-8",
      "application/json",
      "application/vnd.restate.invocation.vx",
    ]) {
      expect(() => parseInvocationContentType(bad), String(bad)).toThrow(UnsupportedContentTypeError);
    }
  });

  it("negotiates the highest common version", () => {
    expect(negotiateInvocationVersion({ min: 5, max: 7 })).toBe(7);
    expect(negotiateInvocationVersion({ min: 5, max: 7 }, { min: 5, max: 6 })).toBe(6);
    expect(negotiateInvocationVersion({ min: 1, max: 5 })).toBe(5);
    expect(negotiateInvocationVersion({ min: 6, max: 99 })).toBe(7);
    expect(() => negotiateInvocationVersion({ min: 1, max: 4 })).toThrow(IncompatibleVersionsError);
    expect(() => negotiateInvocationVersion({ min: 8, max: 9 })).toThrow(IncompatibleVersionsError);
  });
});

describe("manifest content type and Accept", () => {
  it("formats and parses v2..v4", () => {
    for (const v of [2, 3, 4] as const) {
      const ct = `application/vnd.restate.endpointmanifest.v${v}+json`;
      expect(formatManifestContentType(v)).toBe(ct);
      expect(parseManifestContentType(ct)).toBe(v);
      expect(parseManifestContentType(`${ct}; charset=utf-8`)).toBe(v);
    }
    for (const bad of [undefined, "", "application/json", "application/vnd.restate.endpointmanifest.v1+json", "application/vnd.restate.endpointmanifest.v5+json"]) {
      expect(() => parseManifestContentType(bad), String(bad)).toThrow(UnsupportedContentTypeError);
    }
  });

  it("formats the Accept header a server sends", () => {
    expect(formatManifestAccept()).toBe(
      "application/vnd.restate.endpointmanifest.v2+json, application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v4+json",
    );
    expect(formatManifestAccept([2])).toBe("application/vnd.restate.endpointmanifest.v2+json");
    expect(() => formatManifestAccept([])).toThrow(RangeError);
  });

  const restate17 =
    "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json, application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v4+json";

  it.each([
    [restate17, 4],
    ["application/vnd.restate.endpointmanifest.v2+json", 2],
    ["application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v2+json", 3],
    ["application/vnd.restate.endpointmanifest.v4+json;q=0, application/vnd.restate.endpointmanifest.v3+json", 3],
    ["APPLICATION/VND.RESTATE.ENDPOINTMANIFEST.V2+JSON", 2],
    ["*/*", 4],
    ["application/*;q=0.5", 4],
  ] as const)("negotiates %s → v%d", (accept, version) => {
    expect(negotiateManifestVersion(accept)).toBe(version);
  });

  it("honours the versions the caller supports", () => {
    expect(negotiateManifestVersion(restate17, [2, 3])).toBe(3);
  });

  it.each([[undefined], [""], ["application/vnd.restate.endpointmanifest.v1+json"], ["application/json"], ["*/*;q=0"]])(
    "refuses %s",
    (accept) => {
      expect(() => negotiateManifestVersion(accept)).toThrow(NotAcceptableError);
    },
  );

  it("parses Accept ranges with parameters and quoted strings", () => {
    const ranges = parseAccept('text/plain; q=0.2; foo="a,b;c", application/json , bogus, */*;q=2');
    expect(ranges).toEqual([
      { mediaType: "text/plain", params: { foo: "a,b;c" }, q: 0.2 },
      { mediaType: "application/json", params: {}, q: 1 },
      { mediaType: "*/*", params: {}, q: 1 },
    ]);
    expect(acceptQuality(ranges, "text/plain")).toBe(0.2);
    expect(acceptQuality(parseAccept("text/*;q=0.3, text/plain;q=0"), "text/plain")).toBe(0);
    expect(acceptQuality(parseAccept("text/*;q=0.3"), "text/html")).toBe(0.3);
    expect(acceptQuality(parseAccept("text/html"), "text/plain")).toBe(0);
  });
});
