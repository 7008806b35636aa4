// Goal: per-service options of the discovery manifest v3/v4 (timeouts, retentions, retry policy,
// lazy state, ingress-private) are shown by the admin, honoured by the server, and changed by
// PATCH /services/{name}, as on restate-server; method: the control fixture's CtlOptions (a
// 500 ms inactivity timeout makes the SDK suspend during a 1.5 s sleep, so its body runs twice),
// CtlPrivate/CtlPublic and CtlLazy, through the admin and the ingress.
import { expect, it } from "vitest";
import { admin, effects } from "./support/control.js";
import { describeTargets, uniqueTag, useServices } from "./support/suite.js";

const services = useServices({ fixture: "control-services" });

interface ServiceView {
  inactivity_timeout: string;
  abort_timeout: string;
  journal_retention: string;
  idempotency_retention: string;
  enable_lazy_state: boolean;
  public: boolean;
  retry_policy: Record<string, unknown>;
}

describeTargets("service options", services, (h) => {
  it("shows the manifest's timeouts, retentions and retry policy", async () => {
    const reply = await admin(h, "GET", "/services/CtlOptions");
    expect(reply.status).toBe(200);
    expect(reply.json<ServiceView>()).toMatchObject({
      inactivity_timeout: "500ms",
      abort_timeout: "30s",
      journal_retention: "1h",
      idempotency_retention: "2h",
      enable_lazy_state: false,
      public: true,
      retry_policy: { initial_interval: "250ms", max_interval: "2s", max_attempts: 5, exponentiation_factor: 3, on_max_attempts: "Kill" },
    });
  });

  it("honours the inactivity timeout, and a PATCHed one replaces it", async () => {
    const short = uniqueTag("inactivity-short");
    expect(await h.call<string>("/CtlOptions/sleepy", short)).toBe(`slept ${short}`);
    // Suspended after 500 ms of inactivity during the 1.5 s sleep, resumed when it fired.
    expect(effects(services, "sleepyBody", short)).toHaveLength(2);

    const patched = await admin(h, "PATCH", "/services/CtlOptions", { inactivity_timeout: "1m", journal_retention: "30m" });
    expect(patched.status).toBe(200);
    expect(patched.json<ServiceView>()).toMatchObject({ inactivity_timeout: "1m", journal_retention: "30m", abort_timeout: "30s" });
    expect((await admin(h, "GET", "/services/CtlOptions")).json<ServiceView>().inactivity_timeout).toBe("1m");

    const long = uniqueTag("inactivity-long");
    expect(await h.call<string>("/CtlOptions/sleepy", long)).toBe(`slept ${long}`);
    expect(effects(services, "sleepyBody", long)).toHaveLength(1);
    expect((await admin(h, "PATCH", "/services/CtlOptions", { inactivity_timeout: "never" })).status).toBe(422);
  });

  it("aborts an attempt that outlasts the handler's inactivity and abort timeouts, and retries it", async () => {
    const tag = uniqueTag("abort");
    // Without the abort (the default is 10 min) the first run would finish after 3 s and its
    // result, 1, would be journaled; the answer says the second execution's result was.
    expect(await h.call<string>("/CtlOptions/stuck", tag)).toBe(`unstuck ${tag} after 2`);
    expect(effects(services, "stuckRun", tag)).toHaveLength(2);
  });

  it("keeps an ingress-private service off the ingress but callable from services, until made public", async () => {
    const refused = await h.request("/CtlPrivate/hello", "ada", { notFoundRetryMs: 0 });
    expect(refused.status).toBe(400);
    expect(await h.call<string>("/CtlPublic/callPrivate", "bob")).toBe("private hello bob");
    expect((await admin(h, "GET", "/services/CtlPrivate")).json<ServiceView>().public).toBe(false);
    const opened = await admin(h, "PATCH", "/services/CtlPrivate", { public: true });
    expect(opened.status).toBe(200);
    expect(opened.json<ServiceView>().public).toBe(true);
    expect(await h.call<string>("/CtlPrivate/hello", "cy")).toBe("private hello cy");
  });

  it("serves a virtual object with lazy state", async () => {
    expect((await admin(h, "GET", "/services/CtlLazy")).json<ServiceView>().enable_lazy_state).toBe(true);
    const key = uniqueTag("lazy");
    expect(await h.call<number>(`/CtlLazy/${key}/add`, 1)).toBe(1);
    expect(await h.call<number>(`/CtlLazy/${key}/add`, 2)).toBe(3);
  });
});
