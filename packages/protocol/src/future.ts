// Awaited futures (RESTATE-PROTOCOL.md §4.5): what a suspended invocation waits for.
//
//   V7     SuspensionMessage.awaiting_on = Future tree (leaves: completion ids, signal indexes,
//          signal names; nodes: a CombinatorType)
//   V5/V6  SuspensionMessage fields 1..3 = the same leaves as flat lists; resume when ANY arrives
//
// Resolution follows Restate's UnresolvedFuture: a leaf is complete once its notification is in
// the journal, and each combinator decides from its children. Resuming early is always safe (the
// SDK suspends again), so `any leaf arrived` is a correct, if less efficient, rule.

import { create } from "@bufbuild/protobuf";
import type { InvocationProtocolVersion } from "./content-type.js";
import {
  CombinatorType,
  FutureSchema,
  SuspensionMessageSchema,
  type Future,
  type SuspensionMessage,
} from "./gen/dev/restate/service/protocol_pb.js";

/** The leaves of an awaited future, as V5/V6 suspensions list them. */
export interface AwaitedSet {
  readonly completions: readonly number[];
  readonly signals: readonly number[];
  readonly namedSignals: readonly string[];
}

/** Whether a notification has arrived, and how it ended: `undefined` while it has not. */
export type NotificationOutcome = "success" | "failure" | undefined;

/** Looks up the notifications already in an invocation's journal. */
export interface NotificationLookup {
  completion(id: number): NotificationOutcome;
  signal(index: number): NotificationOutcome;
  namedSignal(name: string): NotificationOutcome;
}

/** All leaves of a future tree, each once, in depth-first order (the V5/V6 flattening). */
export function flattenFuture(future: Future): AwaitedSet {
  const completions = new Set<number>();
  const signals = new Set<number>();
  const namedSignals = new Set<string>();
  const visit = (node: Future): void => {
    for (const id of node.waitingCompletions) completions.add(id);
    for (const index of node.waitingSignals) signals.add(index);
    for (const name of node.waitingNamedSignals) namedSignals.add(name);
    for (const nested of node.nestedFutures) visit(nested);
  };
  visit(future);
  return { completions: [...completions], signals: [...signals], namedSignals: [...namedSignals] };
}

/**
 * The future a suspension waits on, whatever the version: the V7 tree, or for V5/V6 the flat
 * lists as one FIRST_COMPLETED node (resume when any arrives).
 */
export function suspensionFuture(suspension: SuspensionMessage): Future {
  if (suspension.awaitingOn !== undefined) return suspension.awaitingOn;
  return create(FutureSchema, {
    waitingCompletions: [...suspension.waitingCompletions],
    waitingSignals: [...suspension.waitingSignals],
    waitingNamedSignals: [...suspension.waitingNamedSignals],
    combinatorType: CombinatorType.FIRST_COMPLETED,
  });
}

/**
 * The SuspensionMessage an SDK sends for `future` under `version`: the tree itself in V7
 * (field 4), its flattened leaves in V5/V6 (fields 1-3).
 */
export function suspensionMessageOf(future: Future, version: InvocationProtocolVersion): SuspensionMessage {
  if (version >= 7) return create(SuspensionMessageSchema, { awaitingOn: future });
  const { completions, signals, namedSignals } = flattenFuture(future);
  return create(SuspensionMessageSchema, {
    waitingCompletions: [...completions],
    waitingSignals: [...signals],
    waitingNamedSignals: [...namedSignals],
  });
}

/** How a future stands given the notifications in `lookup`: `undefined` while it is unresolved. */
export function resolveFuture(future: Future, lookup: NotificationLookup): NotificationOutcome {
  const outcomes: NotificationOutcome[] = [];
  for (const id of future.waitingCompletions) outcomes.push(lookup.completion(id));
  for (const index of future.waitingSignals) outcomes.push(lookup.signal(index));
  for (const name of future.waitingNamedSignals) outcomes.push(lookup.namedSignal(name));
  for (const nested of future.nestedFutures) outcomes.push(resolveFuture(nested, lookup));

  const done = outcomes.filter((o) => o !== undefined);
  const anySuccess = done.includes("success");
  const anyFailure = done.includes("failure");
  const allDone = done.length === outcomes.length;
  switch (future.combinatorType) {
    case CombinatorType.ALL_COMPLETED:
      return allDone ? "success" : undefined;
    case CombinatorType.FIRST_SUCCEEDED_OR_ALL_FAILED:
      return anySuccess ? "success" : allDone ? "failure" : undefined;
    case CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED:
      return anyFailure ? "failure" : allDone ? "success" : undefined;
    case CombinatorType.FIRST_COMPLETED:
    case CombinatorType.UNKNOWN:
    default:
      // First completed child decides; for UNKNOWN the SDK decides, any child is enough to resume.
      return done[0];
  }
}

/** Whether an invocation suspended on `future` can resume now. */
export function isFutureResolved(future: Future, lookup: NotificationLookup): boolean {
  return resolveFuture(future, lookup) !== undefined;
}
