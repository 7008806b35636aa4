// A server under test: the real restate-server or cairn-server, as a child process on loopback
// ports, that a test can kill (SIGKILL or SIGTERM) and restart on the same data directory.
//
// Owns: the server process of one target and its data directory path (not the directory's
// lifetime: the caller creates and removes it). Does not own: deployments or services.
//
// T1. At most one server process per target is alive at any time.
// T2. restart() reuses the data directory given to start(); nothing else carries over, so
//     every durable fact a test observes after a restart comes from that directory.
// T3. Ports are fresh on every (re)start; endpoints() always names the live process's ports.
// T4. close() leaves no process behind, whatever state the target is in.
import type { ChildHandle } from "@cairn/testkit";
import { serverStopGraceMs } from "./constants.js";
import { TargetStateError } from "./errors.js";

export type TargetName = "restate" | "cairn";

export interface TargetEndpoints {
  /** Ingress base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly ingressUrl: string;
  /** Admin API base URL. */
  readonly adminUrl: string;
}

export interface StartOptions {
  /** Data directory of the server; created by the caller, reused by restart(). */
  readonly dataDir: string;
}

export interface Target {
  readonly name: TargetName;
  /** Starts the server; resolves once its admin and ingress health checks answer 200. */
  start(options: StartOptions): Promise<TargetEndpoints>;
  /** The endpoints of the running process (T3). Throws unless running. */
  endpoints(): TargetEndpoints;
  /** Sends `signal` to the server and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same data directory (T2); stops it first if running. */
  restart(): Promise<TargetEndpoints>;
  /** Stops the server if running; the target cannot be started again. */
  close(): Promise<void>;
  /** The server's recent output, for diagnostics. */
  output(): string;
}

/** One running server process, as a launcher returns it. */
export interface Launched extends TargetEndpoints {
  readonly child: ChildHandle;
}

/** Starts one server process on `dataDir` and waits until it is healthy. */
export type Launcher = (dataDir: string) => Promise<Launched>;

type State =
  | { kind: "idle" }
  | { kind: "running"; dataDir: string; launched: Launched }
  | { kind: "stopped"; dataDir: string; lastOutput: string }
  | { kind: "closed"; lastOutput: string };

/** A target whose server is a child process started by `launch` (both targets are). */
export class ProcessTarget implements Target {
  readonly name: TargetName;
  readonly #launch: Launcher;
  #state: State = { kind: "idle" };

  constructor(name: TargetName, launch: Launcher) {
    this.name = name;
    this.#launch = launch;
  }

  async start(options: StartOptions): Promise<TargetEndpoints> {
    if (this.#state.kind !== "idle") throw new TargetStateError(this.name, "start", this.#state.kind);
    return this.#run(options.dataDir);
  }

  endpoints(): TargetEndpoints {
    if (this.#state.kind !== "running") throw new TargetStateError(this.name, "read endpoints", this.#state.kind);
    const { ingressUrl, adminUrl } = this.#state.launched;
    return { ingressUrl, adminUrl };
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.#state.kind !== "running") throw new TargetStateError(this.name, `kill (${signal})`, this.#state.kind);
    const { dataDir, launched } = this.#state;
    await launched.child.kill(signal);
    this.#state = { kind: "stopped", dataDir, lastOutput: launched.child.output() };
  }

  async restart(): Promise<TargetEndpoints> {
    if (this.#state.kind === "running") await this.kill("SIGTERM");
    if (this.#state.kind !== "stopped") throw new TargetStateError(this.name, "restart", this.#state.kind);
    return this.#run(this.#state.dataDir);
  }

  async close(): Promise<void> {
    const state = this.#state;
    if (state.kind === "running") {
      await state.launched.child.stop(serverStopGraceMs);
      this.#state = { kind: "closed", lastOutput: state.launched.child.output() };
    } else if (state.kind === "stopped") {
      this.#state = { kind: "closed", lastOutput: state.lastOutput };
    } else if (state.kind === "idle") {
      this.#state = { kind: "closed", lastOutput: "" };
    }
  }

  output(): string {
    const state = this.#state;
    switch (state.kind) {
      case "running":
        return state.launched.child.output();
      case "stopped":
      case "closed":
        return state.lastOutput;
      case "idle":
        return "";
    }
  }

  async #run(dataDir: string): Promise<TargetEndpoints> {
    const launched = await this.#launch(dataDir);
    this.#state = { kind: "running", dataDir, launched };
    // A server that dies on its own (a crash, not our kill) must not look alive (T1, T3).
    void launched.child.exited().then(() => {
      if (this.#state.kind === "running" && this.#state.launched === launched) {
        this.#state = { kind: "stopped", dataDir, lastOutput: launched.child.output() };
      }
    });
    return { ingressUrl: launched.ingressUrl, adminUrl: launched.adminUrl };
  }
}
