// One invocation attempt: wires the state machine, the context and the user's handler.
import { ContextImpl } from "./context.js";
import { ensureError, TerminalError } from "./errors.js";
import type { HandlerEntry, ServiceEntry } from "./discovery.js";
import type { Logger } from "./logger.js";
import { serde, type Serde } from "./serde.js";
import { StateMachine } from "./state-machine.js";

export interface AttemptIo {
  write(bytes: Uint8Array): void;
  /** The state machine wrote its terminal frame. */
  closed(): void;
}

export interface Attempt {
  push(chunk: Uint8Array): void;
  endInput(): void;
  /** The transport broke (connection reset): abandon the attempt. */
  abort(): void;
}

const MISMATCH_BEHAVIOR = { retry: 0, pause: 1, fail: 2 } as const;

export function startAttempt(
  service: ServiceEntry,
  handler: HandlerEntry,
  version: number,
  attemptHeaders: () => ReadonlyMap<string, string | string[] | undefined>,
  io: AttemptIo,
  logger: Logger,
): Attempt {
  // Created only if the handler asks for the signal: an AbortController and its abort() (which
  // builds a DOMException) cost measurable CPU per invocation (bench/run.mjs).
  let attemptDone: AbortController | undefined;
  let attemptOver = false;
  const attemptSignal = (): AbortSignal => {
    attemptDone ??= new AbortController();
    if (attemptOver && !attemptDone.signal.aborted) attemptDone.abort();
    return attemptDone.signal;
  };
  const explicit = handler.options.explicitCancellation ?? service.options.explicitCancellation ?? false;
  const mismatch = handler.options.onJournalMismatchErrors ?? service.options.onJournalMismatchErrors ?? "retry";
  const asTerminalError = handler.options.asTerminalError ?? service.options.asTerminalError;
  const sm: StateMachine = new StateMachine({
    version,
    implicitCancellation: !explicit,
    journalMismatchBehavior: MISMATCH_BEHAVIOR[mismatch],
    write: (bytes) => io.write(bytes),
    onClosed: () => {
      attemptOver = true;
      attemptDone?.abort();
      io.closed();
    },
    log: (level, message, error) => logger(level, `[${service.definition.name}/${handler.name}] ${message}`, error),
    onReady: (start) => {
      const ctx = new ContextImpl(sm, start, {
        kind: handler.kind,
        defaultSerde: (handler.options.serde ?? service.options.serde ?? serde.json) as Serde<unknown>,
        asTerminalError,
        attemptHeaders,
        logger,
        attemptSignal,
        serviceName: service.definition.name,
        handlerName: handler.name,
      });
      let input: unknown;
      try {
        input = handler.inputSerde.deserialize(start.inputBody);
      } catch (e) {
        const err = ensureError(e);
        sm.complete({ failure: new TerminalError(`Failed to deserialize input: ${err.message}`, { errorCode: 400 }) });
        return;
      }
      const thisArg = service.definition.handlers;
      Promise.resolve()
        .then(() => handler.fn.call(thisArg, ctx, input))
        .then(
          (output) => {
            let bytes: Uint8Array;
            try {
              bytes = handler.outputSerde.serialize(output);
            } catch (e) {
              sm.fail(e);
              return;
            }
            sm.complete({ value: bytes });
          },
          (error: unknown) => {
            const err = ensureError(error, asTerminalError);
            if (err instanceof TerminalError) sm.complete({ failure: err });
            else sm.fail(err);
          },
        );
    },
  });
  return {
    push: (chunk) => sm.push(chunk),
    endInput: () => sm.endInput(),
    abort: () => {
      attemptOver = true;
      attemptDone?.abort();
    },
  };
}
