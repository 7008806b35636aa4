// SQL functions registered on the query connection: the decoders the views use (journal entries,
// suspension futures, UTF-8 values) and the functions of Restate's DataFusion SQL that its CLI's
// queries call and SQLite lacks.
//
//   cairn_entry_type(type)            'Command: Sleep', 'Notification: Sleep', 'Notification: Signal', …
//   cairn_entry(type, raw, field)     a field of a journal entry: name | completion_id |
//                                     invocation_id_completion_id | invocation_id | target |
//                                     wake_up_time | promise_name | json
//   cairn_future(blob, what)          a suspension future: completions | signals (CSV) | json
//   cairn_utf8(blob)                  the blob as text if it is valid UTF-8, else NULL
//   cairn_key_partition_key(key)      partition key (decimal text) of an object/workflow key
//   cairn_id_partition_key(id)        partition key (decimal text) inside an invocation id
//   first_value(x) / last_value(x)    aggregates (DataFusion has them as aggregates, with an
//                                     ORDER BY inside the call; SQLite only as window functions)
//   now()                             the current time, RFC 3339 like every timestamp column
//   arrow_cast(x, type)               x unchanged (SQLite is dynamically typed)
//   starts_with(s, p), ends_with(s, p)

import type Database from "better-sqlite3";
import { fromBinary, toJson, toJsonString, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { FutureSchema, invocationIdPartitionKey, messageKindOf, messageSchemaOf, messageTypeName, parseInvocationId, partitionKeyOf, type Future } from "@cairn/protocol";

/** `InputCommand` → `Command: Input`; `SleepCompletionNotification` → `Notification: Sleep`. */
export function entryTypeLabel(type: number): string {
  const name = messageTypeName(type);
  switch (messageKindOf(type)) {
    case "command":
      return `Command: ${name.replace(/Command$/, "")}`;
    case "notification":
      return `Notification: ${name.replace(/(CompletionNotification|Notification)$/, "")}`;
    default:
      return name;
  }
}

interface Decoded {
  type: number;
  raw: Buffer;
  message: Record<string, unknown> | undefined;
  schema: DescMessage | undefined;
}

/** The last entry decoded: a view calls cairn_entry several times per row on the same bytes. */
let last: Decoded | undefined;

function decode(type: number, raw: Buffer): Decoded {
  if (last !== undefined && last.type === type && last.raw.equals(raw)) return last;
  const schema: DescMessage | undefined = messageSchemaOf(type);
  let message: Record<string, unknown> | undefined;
  if (schema !== undefined) {
    try {
      message = fromBinary(schema, raw);
    } catch {
      message = undefined;
    }
  }
  last = { type, raw: Buffer.from(raw), message, schema };
  return last;
}

const nonEmpty = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);

export function entryField(type: number, raw: Buffer, field: string): string | number | bigint | null {
  const { message, schema } = decode(type, raw);
  if (message === undefined || schema === undefined) return null;
  switch (field) {
    case "name":
      return nonEmpty(message.name);
    case "completion_id":
      return messageKindOf(type) === "command" && typeof message.resultCompletionId === "number" ? message.resultCompletionId : null;
    case "invocation_id_completion_id":
      return typeof message.invocationIdNotificationIdx === "number" ? message.invocationIdNotificationIdx : null;
    case "invocation_id":
      return nonEmpty(message.invocationId);
    case "target": {
      const service = nonEmpty(message.serviceName);
      const handler = nonEmpty(message.handlerName);
      if (service === null || handler === null) return null;
      const key = nonEmpty(message.key);
      return key === null ? `${service}/${handler}` : `${service}/${key}/${handler}`;
    }
    case "wake_up_time":
      return typeof message.wakeUpTime === "bigint" ? message.wakeUpTime : null;
    case "promise_name":
      return messageKindOf(type) === "command" && /Promise/.test(messageTypeName(type)) ? nonEmpty(message.key) : null;
    case "json":
      return entryJson(type, schema, message);
    default:
      return null;
  }
}

/**
 * An entry as restate-server's `entry_json` shows it, so tools that read it (the restate CLI's
 * `invocations describe` shows a sleep's wake-up time from it) work:
 *
 *   entry_json => {"Command"|"Notification": {"<Name>": {snake_case fields}}}
 *
 * with `result_completion_id` named `completion_id` and `wake_up_time` as a number (ms).
 */
function entryJson(type: number, schema: DescMessage, message: Record<string, unknown>): string {
  const label = entryTypeLabel(type);
  const colon = label.indexOf(": ");
  const fields = toJson(schema, message as never, { useProtoFieldName: true, alwaysEmitImplicit: true }) as Record<string, JsonValue>;
  if ("result_completion_id" in fields) {
    fields.completion_id = fields.result_completion_id;
    delete fields.result_completion_id;
  }
  if (typeof fields.wake_up_time === "string") fields.wake_up_time = Number(fields.wake_up_time);
  if (colon < 0) return JSON.stringify({ [label]: fields });
  return JSON.stringify({ [label.slice(0, colon)]: { [label.slice(colon + 2)]: fields } });
}

function futureField(blob: Buffer, what: string): string | null {
  let future: Future;
  try {
    future = fromBinary(FutureSchema, blob);
  } catch {
    return null;
  }
  const completions: number[] = [];
  const signals: (number | string)[] = [];
  const walk = (f: Future): void => {
    completions.push(...f.waitingCompletions);
    signals.push(...f.waitingSignals, ...f.waitingNamedSignals);
    f.nestedFutures.forEach(walk);
  };
  walk(future);
  if (what === "completions") return completions.join(",");
  if (what === "signals") return signals.join(",");
  if (what === "json") return toJsonString(FutureSchema, future);
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function utf8OrNull(blob: unknown): string | null {
  if (!(blob instanceof Uint8Array)) return typeof blob === "string" ? blob : null;
  try {
    return utf8.decode(blob);
  } catch {
    return null;
  }
}

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** A window-capable aggregate keeping its frame's values in order (first or last of them). */
function orderedPick(pick: "first" | "last"): Database.AggregateOptions {
  return {
    start: () => [] as unknown[],
    step: (values: unknown[], value: unknown) => {
      values.push(value);
    },
    inverse: (values: unknown[]) => {
      values.shift();
    },
    result: (values: unknown[]) => (pick === "first" ? values[0] : values[values.length - 1]) ?? null,
  } as unknown as Database.AggregateOptions;
}

export function registerFunctions(db: Database.Database): void {
  const deterministic = { deterministic: true };
  db.function("cairn_entry_type", deterministic, (type: unknown) => (typeof type === "number" || typeof type === "bigint" ? entryTypeLabel(Number(type)) : null));
  db.function("cairn_entry", deterministic, (type: unknown, raw: unknown, field: unknown) => {
    if ((typeof type !== "number" && typeof type !== "bigint") || !Buffer.isBuffer(raw) || typeof field !== "string") return null;
    return entryField(Number(type), raw, field);
  });
  db.function("cairn_future", deterministic, (blob: unknown, what: unknown) => (Buffer.isBuffer(blob) && typeof what === "string" ? futureField(blob, what) : null));
  db.function("cairn_utf8", deterministic, (blob: unknown) => utf8OrNull(blob));
  db.function("cairn_key_partition_key", deterministic, (key: unknown) => (typeof key === "string" ? partitionKeyOf(key).toString() : null));
  db.function("cairn_id_partition_key", deterministic, (id: unknown) => {
    if (typeof id !== "string") return null;
    try {
      return invocationIdPartitionKey(parseInvocationId(id)).toString();
    } catch {
      return null;
    }
  });
  db.aggregate("first_value", orderedPick("first"));
  db.aggregate("last_value", orderedPick("last"));
  db.function("now", () => isoOf(Date.now()));
  db.function("arrow_cast", deterministic, (value: unknown, _type: unknown) => value as never);
  db.function("starts_with", deterministic, (s: unknown, p: unknown) => (typeof s === "string" && typeof p === "string" ? Number(s.startsWith(p)) : null));
  db.function("ends_with", deterministic, (s: unknown, p: unknown) => (typeof s === "string" && typeof p === "string" ? Number(s.endsWith(p)) : null));
}
