// Goal: the argument parser's grammar (long, short, =value, --no-x, repeated lists, "--") and its
// usage errors; method: parseArgs and bindPositionals on hand-written argv arrays.
import { describe, expect, it } from "vitest";
import { Args, bindPositionals, parseArgs, type OptionSpec } from "../src/args.js";

const options: OptionSpec[] = [
  { name: "json", kind: "boolean", description: "" },
  { name: "yes", kind: "boolean", short: "y", description: "" },
  { name: "service", kind: "string", short: "s", description: "" },
  { name: "status", kind: "list", description: "" },
  { name: "limit", kind: "string", description: "" },
];

describe("parseArgs", () => {
  it("reads every token form", () => {
    const parsed = parseArgs(["a", "--json", "-y", "--service=Greeter", "--status", "running", "--status", "pending", "b", "--", "--not-an-option"], options, "t");
    expect(parsed.positionals).toEqual(["a", "b", "--not-an-option"]);
    expect(parsed.options.get("json")).toBe(true);
    expect(parsed.options.get("yes")).toBe(true);
    expect(parsed.options.get("service")).toBe("Greeter");
    expect(parsed.options.get("status")).toEqual(["running", "pending"]);
  });

  it("--no-x sets a boolean false; a value may be negative", () => {
    const parsed = parseArgs(["--no-json", "--limit", "-5"], options, "t");
    expect(parsed.options.get("json")).toBe(false);
    expect(parsed.options.get("limit")).toBe("-5");
  });

  it.each([
    [["--nope"], /unknown option '--nope' for 't'/],
    [["-x"], /unknown option '-x'/],
    [["--service"], /--service needs a value/],
    [["--service", "--json"], /--service needs a value/],
    [["--service", "a", "--service", "b"], /--service given more than once/],
    [["--json=maybe"], /--json: expected true or false/],
    [["--no-service"], /unknown option '--no-service'/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseArgs(argv, options, "t")).toThrow(message);
  });

  it("integer options are bounded", () => {
    const args = (argv: string[]): Args => new Args(parseArgs(argv, options, "t"), {}, []);
    expect(args([]).integer("limit", 7, 10)).toBe(7);
    expect(args(["--limit", "10"]).integer("limit", 7, 10)).toBe(10);
    expect(() => args(["--limit", "11"]).integer("limit", 7, 10)).toThrow(/at most 10/);
    expect(() => args(["--limit", "1.5"]).integer("limit", 7, 10)).toThrow(/positive integer/);
  });
});

describe("bindPositionals", () => {
  const specs = [
    { name: "object", required: true, description: "" },
    { name: "key", required: false, description: "" },
  ];
  it("binds required and optional ones, and rejects extras or missing", () => {
    expect(bindPositionals(["A", "k"], specs, "t").named).toEqual({ object: "A", key: "k" });
    expect(bindPositionals(["A"], specs, "t").named).toEqual({ object: "A" });
    expect(() => bindPositionals([], specs, "t")).toThrow(/'t' needs <object>/);
    expect(() => bindPositionals(["A", "k", "x"], specs, "t")).toThrow(/does not take the argument 'x'/);
  });
  it("a variadic positional takes the rest", () => {
    expect(bindPositionals(["a", "b"], [{ name: "id", required: false, variadic: true, description: "" }], "t").rest).toEqual(["a", "b"]);
  });
});
