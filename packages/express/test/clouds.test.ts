/**
 * Through the Express adapter: a sign-in against the emulator answering as US Government, and a
 * personal account and a guest in an app that opted in to personal accounts.
 */
import { CONSUMERS_TENANT_ID, defaults } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireAuth } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

function whoAmI(app: Parameters<Parameters<typeof startTestApp>[0]>[0]) {
  app.get("/me", requireAuth(), (req, res) => {
    const user = req.entrance.user;
    res.json({ tenantId: user?.tenantId, objectId: user?.objectId, kind: user?.accountKind });
  });
}

describe("Express in the US Government cloud", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(whoAmI, {}, { cloud: "usgov" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("signs a member in against the emulator answering as US Government", async () => {
    const cookie = await t.signIn("lee@contoso.onmicrosoft.com", "/me");
    const res = await fetch(`${t.base}/me`, { headers: { cookie } });
    expect(await res.json()).toEqual({
      tenantId: defaults.contoso,
      objectId: defaults.users.member,
      kind: "member",
    });
  });
});

describe("Express with personal accounts allowed (common, accounts any)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(whoAmI, { tenantId: "common", accounts: "any" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("signs a personal account in, keyed by the consumers tenant", async () => {
    const cookie = await t.signIn("kim.akers@outlook.com", "/me");
    const res = await fetch(`${t.base}/me`, { headers: { cookie } });
    expect(await res.json()).toEqual({
      tenantId: CONSUMERS_TENANT_ID,
      objectId: defaults.users.personal,
      kind: "personal",
    });
  });

  it("signs a guest in, keyed by the tenant they are a guest in", async () => {
    const cookie = await t.signIn("pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com", "/me");
    const res = await fetch(`${t.base}/me`, { headers: { cookie } });
    expect(await res.json()).toEqual({
      tenantId: defaults.contoso,
      objectId: defaults.users.guest,
      kind: "guest",
    });
  });
});
