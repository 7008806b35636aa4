// Awaitable trees: what a handler is waiting on, in the shape of the V7 `Future` message.
//
//   Leaf  => completion id | signal index | signal name
//   Node  => combinator type, leaves, nested nodes
//
// The same tree is flattened to three lists for the V5/V6 SuspensionMessage.
import { CombinatorType } from "./messages.js";
import type { Msg } from "./protobuf.js";

export const enum LeafKind {
  Completion = 0,
  Signal = 1,
  NamedSignal = 2,
}

export interface Leaf {
  readonly kind: LeafKind;
  readonly id: number | string;
}

export interface FutureNode {
  combinator: number;
  leaves: Leaf[];
  nested: FutureNode[];
}

export function leafNode(leaf: Leaf): FutureNode {
  return { combinator: CombinatorType.FirstCompleted, leaves: [leaf], nested: [] };
}

/** The V7 `Future` message of a node. */
export function futureToMsg(node: FutureNode): Msg {
  const waitingCompletions: number[] = [];
  const waitingSignals: number[] = [];
  const waitingNamedSignals: string[] = [];
  for (const leaf of node.leaves) {
    if (leaf.kind === LeafKind.Completion) waitingCompletions.push(leaf.id as number);
    else if (leaf.kind === LeafKind.Signal) waitingSignals.push(leaf.id as number);
    else waitingNamedSignals.push(leaf.id as string);
  }
  return {
    waitingCompletions,
    waitingSignals,
    waitingNamedSignals,
    nestedFutures: node.nested.map(futureToMsg),
    combinatorType: node.combinator,
  };
}

/** All leaves of a node, deduplicated, for the V5/V6 flat suspension lists. */
export function flatten(node: FutureNode): { completions: number[]; signals: number[]; named: string[] } {
  const completions = new Set<number>();
  const signals = new Set<number>();
  const named = new Set<string>();
  const walk = (n: FutureNode): void => {
    for (const leaf of n.leaves) {
      if (leaf.kind === LeafKind.Completion) completions.add(leaf.id as number);
      else if (leaf.kind === LeafKind.Signal) signals.add(leaf.id as number);
      else named.add(leaf.id as string);
    }
    for (const child of n.nested) walk(child);
  };
  walk(node);
  return { completions: [...completions], signals: [...signals], named: [...named] };
}
