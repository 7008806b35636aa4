// The load scenarios: each is one ingress request shape, the same for every server.
import type { Request } from "autocannon";

export interface Scenario {
  readonly name: string;
  readonly what: string;
  /** Status every response must have. */
  readonly expectedStatus: number;
  readonly requests: Request[];
}

const json = { "content-type": "application/json" };

function fixed(path: string, body: string): Request[] {
  return [{ method: "POST", path, headers: json, body }];
}

export const scenarios: readonly Scenario[] = [
  { name: "greet", what: "plain handler, no journal entries", expectedStatus: 200, requests: fixed("/BenchGreeter/greet", '"bench"') },
  { name: "run3", what: "three ctx.run steps", expectedStatus: 200, requests: fixed("/BenchGreeter/run3", '"bench"') },
  {
    name: "counter-hot",
    what: "virtual object, one key (exclusive handler: serialised)",
    expectedStatus: 200,
    requests: fixed("/BenchCounter/hot/add", "1"),
  },
  {
    name: "counter-rand",
    what: "virtual object, random keys",
    expectedStatus: 200,
    requests: [
      {
        method: "POST",
        headers: json,
        body: "1",
        setupRequest: (request) => ({
          ...request,
          path: `/BenchCounter/k${Math.floor(Math.random() * 1_000_000)}/add`,
        }),
      },
    ],
  },
  { name: "rpc", what: "handler calling another service", expectedStatus: 200, requests: fixed("/BenchGreeter/rpc", '"bench"') },
  { name: "greet-send", what: "one-way send (202)", expectedStatus: 202, requests: fixed("/BenchGreeter/greet/send", '"bench"') },
];
