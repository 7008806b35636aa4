// Goal: the command line itself: --help on every command, --version, and exit status 2 with a
// clear message for every kind of bad command line, 1 when the admin API cannot be reached;
// method: the built binary as a child process (no server needed).
import { describe, expect, it } from "vitest";
import { commands } from "cairn-cli";
import { freePort } from "@cairn/testkit";
import { cairn } from "./helpers.js";

describe("cairn command line", () => {
  it("--version prints the package version", async () => {
    const result = await cairn(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cairn \d+\.\d+\.\d+\n$/);
  });

  it("--help lists every command group; no arguments prints it and exits 2", async () => {
    const help = await cairn(["--help"]);
    expect(help.code).toBe(0);
    for (const text of ["deployments register|list|describe|remove", "services list|describe|config", "invocations list|describe|cancel|kill|purge|pause|resume", "state get|set|clear", "sql", "invoke", "CAIRN_ADMIN_URL", "CAIRN_INGRESS_URL", "--json", "--yes"]) {
      expect(help.stdout).toContain(text);
    }
    const bare = await cairn([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: cairn <command>");
  });

  it("every command has --help with its usage, options and an example", async () => {
    for (const command of commands) {
      const name = command.path.join(" ");
      const result = await cairn([...command.path, "--help"]);
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toContain(`Usage: cairn ${name}`);
      expect(result.stdout, name).toContain("Global options:");
      expect(result.stdout, name).toContain(`  cairn ${name}`);
      for (const option of command.options) expect(result.stdout, `${name} --${option.name}`).toContain(`--${option.name}`);
    }
    const group = await cairn(["invocations", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^ {2}cancel\s+Cancel invocations/m);
  });

  it.each([
    [["deployments", "list", "--bogus"], /unknown option '--bogus' for 'cairn deployments list'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["invocations"], /'cairn invocations' needs a command/],
    [["invocations", "frob"], /unknown command 'invocations frob'/],
    [["invocations", "describe"], /'cairn invocations describe' needs <id>/],
    [["invocations", "describe", "inv_1a", "extra"], /does not take the argument 'extra'/],
    [["invocations", "describe", "not-an-id"], /not an invocation id: 'not-an-id'/],
    [["invocations", "list", "--status", "sleeping"], /--status: unknown status 'sleeping'/],
    [["invocations", "list", "--limit", "0"], /--limit: expected a positive integer/],
    [["invocations", "list", "--limit", "99999999"], /--limit: at most 10000/],
    [["invocations", "cancel"], /needs invocation ids or a filter/],
    [["invocations", "kill", "inv_1a", "--service", "X"], /ids or filter options, not both/],
    [["invocations", "list", "--service"], /--service needs a value/],
    [["services", "config", "patch", "Greeter"], /nothing to change/],
    [["services", "config", "patch", "Greeter", "--public", "maybe"], /--public: expected true or false/],
    [["invoke", "Greeter"], /expected Service\/handler or Object\/key\/handler/],
    [["invoke", "Greeter/greet", "{not json"], /<input> is not JSON/],
    [["invoke", "Greeter/greet", "--delay", "5s"], /--delay only applies with --send/],
    [["state", "set", "Counter", "a", "count", "forty"], /<value> is not JSON/],
    [["sql", "  "], /<query> is empty/],
    [["state", "clear", "Counter", "a", "--wait", "soon"], /--wait: expected milliseconds/],
    [["deployments", "register", "not a url"], /not a URL/],
    [["services", "list", "--admin-url", "ftp://x"], /expected an http:\/\/ or https:\/\/ URL/],
    [["services", "list", "--timeout", "soon"], /--timeout: expected milliseconds/],
  ])("usage error %j exits 2", async (args, message) => {
    const result = await cairn(args, { CAIRN_ADMIN_URL: "http://127.0.0.1:9" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });

  it("an unreachable admin API exits 1 and names the URL, from --admin-url and from CAIRN_ADMIN_URL", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const flag = await cairn(["services", "list", "--admin-url", url]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(new RegExp(`error: cannot reach the admin API at ${url}: .*ECONNREFUSED`));
    const fromEnv = await cairn(["invocations", "list"], { CAIRN_ADMIN_URL: url });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(`cannot reach the admin API at ${url}`);
    const ingress = await cairn(["invoke", "Greeter/greet", '"x"'], { CAIRN_INGRESS_URL: url });
    expect(ingress.code).toBe(1);
    expect(ingress.stderr).toContain(`cannot reach the ingress at ${url}`);
  });
});
