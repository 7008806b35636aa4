// Goal: cairn-server's settings resolve with the documented precedence (flag > env > config file > default) and refuse bad input with a usage error; method: resolveCommand over in-memory argv, environment and files.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveCommand, UsageError, type Command } from "../src/config.js";

const cwd = "/work/here";

function run(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}): Extract<Command, { kind: "run" }> {
  const command = resolveCommand({
    argv,
    env,
    cwd,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
      return text;
    },
  });
  if (command.kind !== "run") throw new Error(`expected a run command, got ${command.kind}`);
  return command;
}

describe("resolveCommand", () => {
  it("uses the defaults when nothing is given", () => {
    const { options, logLevel, configFile } = run([]);
    expect(options).toEqual({ dataDir: resolve(cwd, "cairn-data") });
    expect(logLevel).toBe("info");
    expect(configFile).toBeUndefined();
  });

  it("reads every setting from flags", () => {
    const { options, logLevel } = run([
      "--data-dir=d",
      "--ingress-port=1",
      "--admin-port=2",
      "--bind=0.0.0.0",
      "--partitions=8",
      "--workers=3",
      "--inactivity-timeout=30s",
      "--abort-timeout=PT5M",
      "--retry-initial-interval=100ms",
      "--retry-max-interval=10s",
      "--retry-max-attempts=5",
      "--retry-exponentiation-factor=1.5",
      "--retry-on-max-attempts=kill",
      "--inflight-invocations-max=50",
      "--inbox-length-max=7",
      "--worker-queue-max=9",
      "--ingress-implementation=node",
      "--log-level=debug",
    ]);
    expect(options).toEqual({
      dataDir: resolve(cwd, "d"),
      ingressPort: 1,
      adminPort: 2,
      bind: "0.0.0.0",
      partitions: 8,
      workers: 3,
      inactivityTimeoutMs: 30_000,
      abortTimeoutMs: 300_000,
      retryPolicy: { initialIntervalMs: 100, maxIntervalMs: 10_000, maxAttempts: 5, exponentiationFactor: 1.5, onMaxAttempts: "KILL" },
      inflightInvocationsMax: 50,
      inboxLengthMax: 7,
      workerQueueMax: 9,
      ingressImplementation: "node",
    });
    expect(logLevel).toBe("debug");
  });

  it("flag > environment > config file > default, setting by setting", () => {
    const file = JSON.stringify({ ingressPort: 1000, adminPort: 1001, bind: "127.0.0.2", partitions: 3, retryPolicy: { maxAttempts: 4 }, logLevel: "warn" });
    const { options, logLevel, configFile } = run(
      ["--config", "conf/cairn.json", "--ingress-port", "3000"],
      { CAIRN_ADMIN_PORT: "2001", CAIRN_INGRESS_PORT: "2000", CAIRN_BIND: "" },
      { [resolve(cwd, "conf/cairn.json")]: file },
    );
    expect(configFile).toBe(resolve(cwd, "conf/cairn.json"));
    expect(options.ingressPort).toBe(3000); // flag beats env and file
    expect(options.adminPort).toBe(2001); // env beats file
    expect(options.bind).toBe("127.0.0.2"); // file (an empty variable counts as unset)
    expect(options.partitions).toBe(3);
    expect(options.retryPolicy).toEqual({ maxAttempts: 4 });
    expect(options.workers).toBeUndefined(); // default left to the server
    expect(logLevel).toBe("warn");
  });

  it("CAIRN_CONFIG names the config file; a file's relative dataDir is relative to the file", () => {
    const { options } = run([], { CAIRN_CONFIG: "/etc/cairn/config.json" }, { "/etc/cairn/config.json": '{"dataDir": "data", "inactivityTimeout": 1500}' });
    expect(options.dataDir).toBe("/etc/cairn/data");
    expect(options.inactivityTimeoutMs).toBe(1_500);
    expect(run(["--data-dir", "x"], { CAIRN_CONFIG: "/etc/cairn/config.json" }, { "/etc/cairn/config.json": '{"dataDir": "data"}' }).options.dataDir).toBe(
      resolve(cwd, "x"),
    );
  });

  it("--help and --version win over everything else", () => {
    const commands = (argv: string[]) => resolveCommand({ argv, env: {}, cwd, readFile: () => "" }).kind;
    expect(commands(["--help"])).toBe("help");
    expect(commands(["-h", "--ingress-port", "1"])).toBe("help");
    expect(commands(["--version"])).toBe("version");
  });

  it.each([
    [["--bogus"], /Unknown option/],
    [["positional"], /positional/],
    [["--ingress-port", "abc"], /--ingress-port: expected a port number/],
    [["--admin-port", "70000"], /\[0, 65535\]/],
    [["--partitions", "0"], /positive integer/],
    [["--workers", "1.5"], /positive integer/],
    [["--inactivity-timeout", "soon"], /--inactivity-timeout/],
    [["--retry-on-max-attempts", "explode"], /pause, kill/],
    [["--ingress-implementation", "fast"], /auto, uws, node/],
    [["--config", "/missing.json"], /cannot read the config file/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => run(argv)).toThrow(UsageError);
    expect(() => run(argv)).toThrow(message);
  });

  it.each([
    ['{"ingressPort": "x"}', /ingressPort in .*expected a port/],
    ['{"nope": 1}', /unknown key nope/],
    ['{"retryPolicy": {"nope": 1}}', /unknown key retryPolicy.nope/],
    ["[1]", /top level must be an object/],
    ["{", /not valid/],
  ])("config file %s is a usage error", (text, message) => {
    expect(() => run(["--config", "/c.json"], {}, { "/c.json": text })).toThrow(message);
  });

  it("a bad environment variable is a usage error naming it", () => {
    expect(() => run([], { CAIRN_PARTITIONS: "many" })).toThrow(/CAIRN_PARTITIONS/);
  });

  it("takes the tracing endpoint from --tracing-endpoint or CAIRN_TRACING_ENDPOINT; off by default", () => {
    expect(run([]).options.tracingEndpoint).toBeUndefined();
    expect(run(["--tracing-endpoint", "http://127.0.0.1:4318"]).options.tracingEndpoint).toBe("http://127.0.0.1:4318");
    const fromEnv = resolveCommand({ argv: [], env: { CAIRN_TRACING_ENDPOINT: "http://collector:4318", CAIRN_TRACING_SERVICE_NAME: "shop" }, cwd, readFile: () => "" });
    if (fromEnv.kind !== "run") throw new Error("expected run");
    expect(fromEnv.options).toMatchObject({ tracingEndpoint: "http://collector:4318", tracingServiceName: "shop" });
  });
});
