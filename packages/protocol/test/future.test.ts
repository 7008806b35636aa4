// Goal: awaited futures flatten for V5/V6 and resolve per combinator as §4.5 describes; method:
// the doc's example tree and a table of combinator cases.
import { describe, expect, it } from "vitest";
import {
  CombinatorType,
  create,
  flattenFuture,
  FutureSchema,
  isFutureResolved,
  resolveFuture,
  SuspensionMessageSchema,
  suspensionFuture,
  suspensionMessageOf,
  type Future,
  type NotificationLookup,
  type NotificationOutcome,
} from "@cairn/protocol";

type Init = Parameters<typeof create<typeof FutureSchema>>[1];
const future = (init: Init): Future => create(FutureSchema, init);

/** §4.5: all([sleep1, race([sleep2, awakeable])]) under the top-level race with cancel. */
const example = future({
  waitingSignals: [1],
  combinatorType: CombinatorType.FIRST_COMPLETED,
  nestedFutures: [
    future({
      waitingCompletions: [1],
      combinatorType: CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED,
      nestedFutures: [future({ waitingCompletions: [2], waitingSignals: [17], combinatorType: CombinatorType.FIRST_COMPLETED })],
    }),
  ],
});

function lookup(completions: Record<number, NotificationOutcome> = {}, signals: Record<number, NotificationOutcome> = {}, named: Record<string, NotificationOutcome> = {}): NotificationLookup {
  return {
    completion: (id) => completions[id],
    signal: (index) => signals[index],
    namedSignal: (name) => named[name],
  };
}

describe("futures", () => {
  it("flatten the doc's tree to the V5/V6 lists", () => {
    expect(flattenFuture(example)).toEqual({ completions: [1, 2], signals: [1, 17], namedSignals: [] });
  });

  it("read V5/V6 suspensions as one FIRST_COMPLETED node", () => {
    const v6 = create(SuspensionMessageSchema, { waitingCompletions: [3], waitingSignals: [1], waitingNamedSignals: ["go"] });
    const f = suspensionFuture(v6);
    expect(f.combinatorType).toBe(CombinatorType.FIRST_COMPLETED);
    expect(isFutureResolved(f, lookup({}, {}, { go: "success" }))).toBe(true);
    expect(isFutureResolved(f, lookup())).toBe(false);
    const v7 = create(SuspensionMessageSchema, { awaitingOn: example });
    expect(suspensionFuture(v7)).toBe(example);
  });

  it("become the suspension each version expects", () => {
    expect(suspensionMessageOf(example, 7).awaitingOn).toBe(example);
    for (const version of [5, 6] as const) {
      const flat = suspensionMessageOf(example, version);
      expect(flat.awaitingOn).toBeUndefined();
      expect([flat.waitingCompletions, flat.waitingSignals, flat.waitingNamedSignals]).toEqual([[1, 2], [1, 17], []]);
    }
  });

  it("resolve the doc's tree", () => {
    expect(resolveFuture(example, lookup())).toBeUndefined();
    expect(resolveFuture(example, lookup({ 1: "success" }))).toBeUndefined(); // all() still waits for the race
    expect(resolveFuture(example, lookup({ 1: "success" }, { 17: "success" }))).toBe("success");
    expect(resolveFuture(example, lookup({ 1: "failure" }))).toBe("failure"); // all() fails fast
    expect(resolveFuture(example, lookup({}, { 1: "success" }))).toBe("success"); // cancel signal wins the race
  });

  const leaves = { waitingCompletions: [1, 2] };
  it.each([
    [CombinatorType.FIRST_COMPLETED, {}, undefined],
    [CombinatorType.FIRST_COMPLETED, { 2: "failure" }, "failure"],
    [CombinatorType.UNKNOWN, { 1: "success" }, "success"],
    [CombinatorType.ALL_COMPLETED, { 1: "failure" }, undefined],
    [CombinatorType.ALL_COMPLETED, { 1: "failure", 2: "success" }, "success"],
    [CombinatorType.FIRST_SUCCEEDED_OR_ALL_FAILED, { 1: "failure" }, undefined],
    [CombinatorType.FIRST_SUCCEEDED_OR_ALL_FAILED, { 1: "failure", 2: "failure" }, "failure"],
    [CombinatorType.FIRST_SUCCEEDED_OR_ALL_FAILED, { 2: "success" }, "success"],
    [CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED, { 1: "success" }, undefined],
    [CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED, { 1: "success", 2: "success" }, "success"],
    [CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED, { 2: "failure" }, "failure"],
  ] as const)("combinator %i with %o resolves to %s", (combinatorType, completions, outcome) => {
    expect(resolveFuture(future({ ...leaves, combinatorType }), lookup(completions))).toBe(outcome);
  });
});
