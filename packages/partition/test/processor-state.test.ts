// Goal: the State command (admin state replace) replaces a key's whole state, deterministically skips it while an invocation holds the key or when the caller's version is stale, and versions match Restate's StateMutationVersion; method: commands appended to a real log and applied to a real store.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openLog } from "@cairn/log";
import { stateVersion } from "@cairn/partition";
import { Processor, Store } from "../src/internal.js";
import { idForKey, run, tempDir } from "./harness.js";

const options = { partition: 0, partitionCount: 1, inboxLengthMax: 10 };
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function stateOf(store: Store, key: string): Record<string, string> {
  const rows = store.s.stateAll.all("Obj", key) as { key: Uint8Array; value: Uint8Array }[];
  return Object.fromEntries(rows.map((r) => [Buffer.from(r.key).toString(), Buffer.from(r.value).toString()]));
}

describe("State command", () => {
  it("versions are Restate's: base64url SHA-256 over the entries sorted by key", () => {
    expect(stateVersion([])).toBe("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    const a = { key: utf8("a"), value: utf8("1") };
    const b = { key: utf8("b"), value: utf8("2") };
    expect(stateVersion([b, a])).toBe(stateVersion([a, b]));
    expect(stateVersion([a, b])).not.toBe(stateVersion([a, { key: utf8("b"), value: utf8("3") }]));
  });

  it("replaces the whole state; skipped under a lock or with a stale version; a current version applies", async () => {
    const tmp = tempDir();
    const log = await openLog(join(tmp.dir, "log"), { fsync: false });
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    try {
      const processor = new Processor(store, options);
      await run(log, store, processor, [{ k: "st", now: 1, svc: "Obj", key: "k", kv: [[utf8("a"), utf8("1")], [utf8("b"), utf8("2")]] }]);
      expect(stateOf(store, "k")).toEqual({ a: "1", b: "2" });
      await run(log, store, processor, [{ k: "st", now: 2, svc: "Obj", key: "k", kv: [[utf8("c"), utf8("3")]] }]);
      expect(stateOf(store, "k")).toEqual({ c: "3" });

      await run(log, store, processor, [{ k: "st", now: 3, svc: "Obj", key: "k", kv: [], ver: "stale" }]);
      expect(stateOf(store, "k")).toEqual({ c: "3" });
      const current = stateVersion([{ key: utf8("c"), value: utf8("3") }]);
      await run(log, store, processor, [{ k: "st", now: 4, svc: "Obj", key: "k", kv: [[utf8("d"), utf8("4")]], ver: `${current}=` }]);
      expect(stateOf(store, "k")).toEqual({ d: "4" });

      const holder = idForKey("k");
      await run(log, store, processor, [
        {
          k: "inv",
          now: 5,
          inv: { id: holder, svc: "Obj", hnd: "add", key: "k", sty: "VIRTUAL_OBJECT", hty: "EXCLUSIVE", hdrs: [], body: utf8("1"), by: { t: "ingress" } },
        },
        { k: "st", now: 6, svc: "Obj", key: "k", kv: [] },
      ]);
      expect(store.s.lockGet.get("Obj", "k")).toBe(holder);
      expect(stateOf(store, "k")).toEqual({ d: "4" });
    } finally {
      store.close();
      await log.close();
      tmp.remove();
    }
  });
});
