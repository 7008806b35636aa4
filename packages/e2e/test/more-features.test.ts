// Goal: the features beyond the server's first issue behave as on Restate — awakeables resolved
// and rejected from outside (raw routes and the official ingress client), a workflow with a
// durable promise, idempotency keys on calls and sends, and cancellation through the admin API;
// method: E2eAwaiter, E2eApproval, E2eGreeter and E2eSleeper through the public ingress and admin
// API, with the side-effect log for counts.
import * as clients from "@restatedev/restate-sdk-clients";
import { expect, it } from "vitest";
import { describeTargets, eventually, uniqueTag, useServices } from "./support/suite.js";

const services = useServices();

describeTargets(
  "awakeables, workflows, idempotency",
  services,
  (h) => {
    const awakeableOf = (tag: string): Promise<string> =>
      eventually(`the awakeable id of ${tag}`, () => services.sideEffects().find((e) => e.kind === "awakeable" && e.tag === tag)?.nonce);

    it("resumes a handler when its awakeable is resolved from outside", async () => {
      const tag = uniqueTag("awake");
      const sent = await h.request("/E2eAwaiter/awaitExternal/send", tag);
      expect(sent.status).toBe(202);
      const { invocationId } = sent.json<{ invocationId: string }>();
      const awakeableId = await awakeableOf(tag);
      expect(awakeableId).toMatch(/^sign_1[A-Za-z0-9_-]{38}$/);
      const output = await h.request(`/restate/invocation/${invocationId}/output`);
      expect(output.status).toBe(470);

      const resolved = await h.request(`/restate/awakeables/${awakeableId}/resolve`, "hi");
      expect(resolved.status).toBe(202);
      expect(await h.call(`/restate/invocation/${invocationId}/attach`)).toBe("got hi");
    });

    it("fails a handler whose awakeable is rejected through the short /restate/a route", async () => {
      const tag = uniqueTag("reject");
      const { invocationId } = (await h.request("/E2eAwaiter/awaitExternal/send", tag)).json<{ invocationId: string }>();
      const awakeableId = await awakeableOf(tag);
      const rejected = await h.request(`/restate/a/${awakeableId}/reject`, undefined, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "not today",
      });
      expect(rejected.status).toBe(202);
      const attached = await h.request(`/restate/invocation/${invocationId}/attach`);
      expect(attached.status).toBe(500);
      expect(attached.headers.get("x-restate-error-source")).toBe("invocation");
      expect(attached.json()).toMatchObject({ code: 500, message: "not today" });
    });

    it("resolves and rejects awakeables through the official ingress client, and reads results with result()", async () => {
      const ingress = clients.connect({ url: h.endpoints().ingressUrl });
      const awaiter = ingress.serviceSendClient<{ awaitExternal(ctx: unknown, tag: string): Promise<string> }>({ name: "E2eAwaiter" });
      const okTag = uniqueTag("client-ok");
      // result() needs an attachable send: one with an idempotency key.
      const ok = await awaiter.awaitExternal(okTag, clients.SendOpts.from<string>({ idempotencyKey: okTag }));
      await ingress.resolveAwakeable(await awakeableOf(okTag), "from the client");
      expect(await ingress.result(ok)).toBe("got from the client");

      const failTag = uniqueTag("client-fail");
      const failing = await awaiter.awaitExternal(failTag, clients.SendOpts.from<string>({ idempotencyKey: failTag }));
      await ingress.rejectAwakeable(await awakeableOf(failTag), "declined by the client");
      await expect(ingress.result(failing)).rejects.toThrow(/declined by the client/);
    });

    it("runs a workflow once per key and completes it through its durable promise", async () => {
      const key = uniqueTag("wf");
      const first = await h.request(`/E2eApproval/${key}/run/send`, "order-1");
      expect(first.status).toBe(202);
      const accepted = first.json<{ invocationId: string; status: string }>();
      expect(accepted.status).toBe("Accepted");
      const again = await h.request(`/E2eApproval/${key}/run/send`, "order-1");
      expect(again.json()).toEqual({ invocationId: accepted.invocationId, status: "PreviouslyAccepted" });
      const call = await h.request(`/E2eApproval/${key}/run`, "order-1");
      expect(call.status).toBe(409);
      expect(call.json()).toMatchObject({ code: 409, message: "the workflow method was already invoked" });

      await eventually("the workflow to wait", async () => ((await h.call<string | null>(`/E2eApproval/${key}/status`)) === "waiting" ? true : undefined));
      expect((await h.request(`/restate/workflow/E2eApproval/${key}/output`)).status).toBe(470);
      expect((await h.request(`/E2eApproval/${key}/decide`, "yes")).status).toBe(200);
      expect(await h.call(`/restate/workflow/E2eApproval/${key}/attach`)).toBe("order-1: yes");
      expect(await h.call(`/restate/workflow/E2eApproval/${key}/output`)).toBe("order-1: yes");
      expect(await h.call(`/E2eApproval/${key}/status`)).toBe("decided yes");
    });

    it("deduplicates calls and sends that carry the same idempotency key", async () => {
      const tag = uniqueTag("idem");
      const key = { "idempotency-key": tag };
      const a = await h.request("/E2eGreeter/greetRun", { name: "I", tag }, { headers: key });
      const b = await h.request("/E2eGreeter/greetRun", { name: "I", tag }, { headers: key });
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.headers.get("x-restate-id")).toBe(a.headers.get("x-restate-id"));
      expect(b.json()).toBe("Hello, I!");

      const sendTag = uniqueTag("idem-send");
      const sendKey = { "idempotency-key": sendTag };
      const s1 = await h.request("/E2eGreeter/greetRun/send", { name: "S", tag: sendTag }, { headers: sendKey });
      const s2 = await h.request("/E2eGreeter/greetRun/send", { name: "S", tag: sendTag }, { headers: sendKey });
      const [r1, r2] = [s1.json<{ invocationId: string; status: string }>(), s2.json<{ invocationId: string; status: string }>()];
      expect([r1.status, r2.status]).toEqual(["Accepted", "PreviouslyAccepted"]);
      expect(r2.invocationId).toBe(r1.invocationId);
      expect(await h.call(`/restate/invocation/${r1.invocationId}/attach`)).toBe("Hello, S!");

      const runs = services.sideEffects().filter((e) => e.kind === "greetRun" && (e.tag === tag || e.tag === sendTag));
      expect(runs.map((e) => e.tag)).toEqual([tag, sendTag]);
    });
  },
);

describeTargets(
  "cancellation through the admin API",
  services,
  (h) => {
    it("cancels a sleeping invocation through the admin API", async () => {
      const { invocationId } = (await h.request("/E2eSleeper/sleep/send", 30_000)).json<{ invocationId: string }>();
      // Cancel once the sleep is journaled, i.e. the invocation is suspended or waiting in it.
      const cancel = await eventually("the cancel to be accepted", async () => {
        const response = await fetch(`${h.endpoints().adminUrl}/invocations/${invocationId}/cancel`, { method: "PATCH" });
        await response.arrayBuffer();
        return response.status === 202 || response.status === 200 ? response.status : undefined;
      });
      expect(cancel).toBe(202);
      const attached = await h.request(`/restate/invocation/${invocationId}/attach`);
      expect(attached.status).toBe(409);
      expect(attached.json()).toMatchObject({ code: 409, message: "Cancelled" });
      const late = await fetch(`${h.endpoints().adminUrl}/invocations/${invocationId}/cancel`, { method: "PATCH" });
      expect(late.status).toBe(409);
      expect(await late.json()).toHaveProperty("message");
    });
  },
);
