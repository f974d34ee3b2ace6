/**
 * A sign-in storm: 200 browsers, each with its own cookie jar and client address, signing in at
 * once through the emulator, then each asking who it is. Every sign-in succeeds, each browser
 * sees its own user, and the store holds one user and one session per browser.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EntranceStore } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { requireAuth } from "@entrance/express";
import { openSqlStore } from "@entrance/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../packages/express/test/support/app.js";

const BROWSERS = 200;
let app: TestApp;
let store: EntranceStore;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "entrance-storm-"));
  store = await openSqlStore(join(folder, "entrance.db"));
  app = await startTestApp(
    (express) => {
      // Each browser comes from its own address, as through a proxy: per-address limits hold.
      express.set("trust proxy", "loopback");
      express.get("/me", requireAuth(), (req, res) => {
        res.json({ oid: req.entrance.user?.objectId, name: req.entrance.user?.displayName });
      });
    },
    { store },
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");

async function browse(index: number, user: { id: string; upn: string }) {
  const address = { "x-forwarded-for": `10.20.${index >> 8}.${index & 255}` };
  const login = await fetch(`${app.base}/auth/login?returnTo=/me`, {
    redirect: "manual",
    headers: address,
  });
  expect(login.status).toBe(302);
  const { location } = await pickAccount(app.emulator, login.headers.get("location") ?? "", {
    user: user.upn,
  });
  const callback = await fetch(location, {
    redirect: "manual",
    headers: { ...address, cookie: cookiesOf(login) },
  });
  expect(callback.status).toBe(302);
  expect(callback.headers.get("location")).toBe("/me");
  const me = await fetch(`${app.base}/me`, {
    headers: { ...address, cookie: cookiesOf(callback), accept: "application/json" },
  });
  expect(me.status).toBe(200);
  return (await me.json()) as { oid: string; name: string };
}

describe("Sign-in storm", () => {
  it(`${BROWSERS} browsers signing in at once each end up as themselves: 0 errors, ${BROWSERS} users and ${BROWSERS} sessions stored`, async () => {
    const users = Array.from({ length: BROWSERS }, (_, i) => ({
      id: randomUUID(),
      upn: `storm${i}@contoso.onmicrosoft.com`,
      name: `Storm User ${i}`,
    }));
    for (const user of users) {
      app.emulator.control.putUser(defaults.contoso, {
        id: user.id,
        userPrincipalName: user.upn,
        displayName: user.name,
      });
    }
    const seen = await Promise.all(users.map((user, i) => browse(i, user)));
    expect(seen).toEqual(users.map((user) => ({ oid: user.id, name: user.name })));
    for (const user of users) {
      expect(await store.users.get(defaults.contoso, user.id)).toMatchObject({
        displayName: user.name,
      });
      expect(await store.sessions.listByUser(defaults.contoso, user.id)).toHaveLength(1);
    }
    expect((await store.users.list({ query: "Storm User", limit: 500, offset: 0 })).total).toBe(
      BROWSERS,
    );
  }, 180_000);
});
