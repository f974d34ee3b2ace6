import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type EntranceStore } from "../src/index.js";
import {
  APP_BASE,
  browse,
  CookieJar,
  entranceFor,
  fresh,
  post,
  signedInAs,
  startSignIn,
} from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

/** Nothing of a user was left behind: no user record, no session, no tokens. */
async function expectNothingStored(store: EntranceStore, tenantId: string, objectId: string) {
  expect(await store.users.get(tenantId, objectId)).toBeNull();
  expect(await store.tokens.get(`${objectId}.${tenantId}`)).toBeNull();
  expect(await store.sessions.deleteByUser(tenantId, objectId)).toBe(0);
}

describe("sign-in against the emulator", () => {
  it("signs in, stores the user by (tid, oid), starts a session and keeps the tokens encrypted", async () => {
    const { store, entrance, jar } = fresh(emulator);
    const callback = await startSignIn(
      emulator,
      entrance,
      jar,
      "megan@contoso.onmicrosoft.com",
      "/orders?x=1",
    );
    const done = await browse(entrance, jar, callback);
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/orders?x=1");
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith("entrance-session="));
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);

    const signedIn = await entrance.getSession(jar.header);
    expect(signedIn?.user).toMatchObject({
      tenantId: defaults.contoso,
      objectId: defaults.users.admin,
      displayName: "Megan Bowen",
      username: "megan@contoso.onmicrosoft.com",
      mail: "megan.bowen@contoso.com",
      roles: ["Entrance.Admin"],
      groupsOverage: false,
      disabled: false,
    });
    expect(signedIn?.user.groups).toHaveLength(2);
    expect(signedIn?.session.sid).toMatch(/^[0-9a-f-]{36}$/);

    const blob = await store.tokens.get(`${defaults.users.admin}.${defaults.contoso}`);
    expect(blob).not.toBeNull();
    const text = Buffer.from(blob ?? []).toString("latin1");
    expect(text).not.toContain("eyJ");
    expect(text).not.toContain("refresh");
  });

  it("records the overage marker for a user of 250+ groups, never an empty list as the truth", async () => {
    const { entrance, jar } = await signedInAs(emulator, "adele@contoso.onmicrosoft.com");
    const user = (await entrance.getSession(jar.header))?.user;
    expect(user?.groupsOverage).toBe(true);
    expect(user?.groups).toEqual([]);
  });

  it("keeps two tenants' users with the same e-mail apart", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store);
    for (const upn of ["megan@contoso.onmicrosoft.com", "mallory@fabrikam.onmicrosoft.com"]) {
      const jar = new CookieJar();
      await browse(entrance, jar, await startSignIn(emulator, entrance, jar, upn));
    }
    const megan = await store.users.get(defaults.contoso, defaults.users.admin);
    const mallory = await store.users.get(defaults.fabrikam, defaults.users.sameMail);
    expect(megan?.roles).toEqual(["Entrance.Admin"]);
    expect(mallory?.roles).toEqual([]);
    expect(mallory?.tenantId).toBe(defaults.fabrikam);
  });

  it("lets several tabs of one browser sign in at once", async () => {
    const { entrance, jar } = fresh(emulator);
    const first = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com", "/one");
    const second = await startSignIn(
      emulator,
      entrance,
      jar,
      "lee@contoso.onmicrosoft.com",
      "/two",
    );
    expect((await browse(entrance, jar, second)).headers.get("location")).toBe("/two");
    expect((await browse(entrance, jar, first)).headers.get("location")).toBe("/one");
    expect(await entrance.getSession(jar.header)).not.toBeNull();
  });
});

describe("rejections leave no user, session or token behind", () => {
  it("refuses a callback with an unknown state", async () => {
    const { store, entrance, jar } = fresh(emulator);
    const callback = new URL(
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    callback.searchParams.set("state", "forged");
    const res = await browse(entrance, jar, callback.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("login_transaction_missing");
    await expectNothingStored(store, defaults.contoso, defaults.users.member);
  });

  it("refuses a replayed callback, after the first one succeeded", async () => {
    const { entrance, jar } = fresh(emulator);
    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    expect((await browse(entrance, jar, callback)).status).toBe(302);
    const replay = await browse(entrance, jar, callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("login_transaction_missing");
    // From another browser the binding is checked first, before anything is taken.
    const elsewhere = await browse(entrance, new CookieJar(), callback);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain("browser_binding_mismatch");
  });

  it("refuses a callback brought to another browser (no binding cookie)", async () => {
    const { store, entrance, jar } = fresh(emulator);
    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    const res = await browse(entrance, new CookieJar(), callback);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("browser_binding_mismatch");
    await expectNothingStored(store, defaults.contoso, defaults.users.member);
  });

  it("refuses an expired transaction", async () => {
    let now = Date.now();
    const store = createMemoryStore({ now: () => now });
    const entrance = entranceFor(emulator, store);
    const jar = new CookieJar();
    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    now += 601_000;
    const res = await browse(entrance, jar, callback);
    expect(await res.text()).toContain("login_transaction_missing");
    await expectNothingStored(store, defaults.contoso, defaults.users.member);
  });

  it("explains an error Entra returned, with its AADSTS code", async () => {
    const { entrance, jar } = fresh(emulator, { scopes: ["Calendars.Read"] });
    const login = await browse(entrance, jar, "/auth/login");
    const authorize = new URL(login.headers.get("location") ?? "");
    authorize.searchParams.set("prompt", "none");
    // prompt=none without an emulator session: Entra answers login_required (AADSTS50058).
    const { request } = await import("@entrance/emulator/testing");
    const back = await request(authorize);
    const res = await browse(entrance, jar, back.headers.location ?? "");
    const page = await res.text();
    expect(res.status).toBe(400);
    expect(page).toContain("AADSTS50058");
    expect(page).toContain("No user is signed in");
    expect(page).toContain('href="/auth/login"');
  });

  it("refuses a tenant outside the allow-list", async () => {
    const { store, entrance, jar } = fresh(emulator, { allowedTenants: [defaults.contoso] });
    const res = await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "mallory@fabrikam.onmicrosoft.com"),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("tenant_not_allowed");
    await expectNothingStored(store, defaults.fabrikam, defaults.users.sameMail);
  });

  it("accepts its own tenant's users when configured for one tenant by domain", async () => {
    const { entrance, jar } = fresh(emulator, { tenantId: "contoso.onmicrosoft.com" });
    const res = await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    expect(res.status).toBe(302);
  });

  it("lets onSignIn refuse with a reason shown to the user, storing nothing", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store, {
      onSignIn: ({ user, tokens }) => {
        expect(tokens.accessToken).toMatch(/^eyJ/);
        return user.roles.includes("Entrance.Admin")
          ? true
          : { refuse: "Only administrators may use this app." };
      },
    });
    const jar = new CookieJar();
    const res = await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "alex@contoso.onmicrosoft.com"),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Only administrators may use this app.");
    await expectNothingStored(store, defaults.contoso, defaults.users.noPhoto);
  });

  it("answers an onSignIn hook that throws as the app's failure (500), not Entra's, storing nothing", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store, {
      onSignIn: () => {
        throw new Error("the app's database is down");
      },
      logger: { error: () => {}, warn: () => {} },
    });
    const jar = new CookieJar();
    const callback = await startSignIn(emulator, entrance, jar, "alex@contoso.onmicrosoft.com");
    const request = new Request(new URL(callback, APP_BASE), {
      headers: { cookie: jar.header, accept: "application/json" },
    });
    const res = await entrance.handle(request, { ip: "127.0.0.1" });
    if (!res) throw new Error("Entrance does not serve its callback");
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe("sign_in_hook_failed");
    await expectNothingStored(store, defaults.contoso, defaults.users.noPhoto);
  });
});

describe("sign-out", () => {
  it("ends the session, evicts the tokens and sends the browser to the end-session endpoint", async () => {
    const { store, entrance, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const res = await post(entrance, jar, "/auth/logout");
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe(
      `${emulator.urls.http}/organizations/oauth2/v2.0/logout`,
    );
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe("http://localhost:3000/");
    expect(await entrance.getSession(jar.header)).toBeNull();
    expect(await store.tokens.get(`${defaults.users.member}.${defaults.contoso}`)).toBeNull();
  });

  it("asks before signing out on a GET, and refuses a cross-site POST", async () => {
    const { entrance, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const page = await browse(entrance, jar, "/auth/logout");
    expect(await page.text()).toContain('<form method="post" action="/auth/logout">');
    expect(await entrance.getSession(jar.header)).not.toBeNull();
    const forged = await post(entrance, jar, "/auth/logout", "https://evil.example");
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("cross_site_request");
    expect(await entrance.getSession(jar.header)).not.toBeNull();
  });

  it("keeps the tokens while the user is still signed in on another device", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store);
    const laptop = new CookieJar();
    const phone = new CookieJar();
    await browse(
      entrance,
      laptop,
      await startSignIn(emulator, entrance, laptop, "lee@contoso.onmicrosoft.com"),
    );
    await browse(
      entrance,
      phone,
      await startSignIn(emulator, entrance, phone, "lee@contoso.onmicrosoft.com"),
    );
    const partition = `${defaults.users.member}.${defaults.contoso}`;
    await post(entrance, laptop, "/auth/logout");
    expect(await entrance.getSession(phone.header)).not.toBeNull();
    expect(await store.tokens.get(partition)).not.toBeNull();
    await post(entrance, phone, "/auth/logout");
    expect(await store.tokens.get(partition)).toBeNull();
  });

  it("front-channel logout ends every session with that sid, without cookies", async () => {
    const { entrance, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const sid = (await entrance.getSession(jar.header))?.session.sid ?? "";
    const res = await browse(entrance, new CookieJar(), `/auth/frontchannel-logout?sid=${sid}`);
    expect(res.status).toBe(200);
    expect(await entrance.getSession(jar.header)).toBeNull();
  });
});

describe("disabled users", () => {
  it("are refused at sign-in with a clear page, and nothing new is stored", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store);
    let jar = new CookieJar();
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    await post(entrance, jar, "/auth/logout");
    await store.users.setDisabled(defaults.contoso, defaults.users.member, true);
    jar = new CookieJar();
    const res = await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Your account is disabled in this app");
    expect(await entrance.getSession(jar.header)).toBeNull();
    expect(await store.tokens.get(`${defaults.users.member}.${defaults.contoso}`)).toBeNull();
  });
});

describe("store failures during the callback", () => {
  it("answer store_failed and leave the browser as it was, never half signed in", async () => {
    const store = createMemoryStore();
    let failTokens = false;
    const failing: EntranceStore = {
      ...store,
      tokens: {
        ...store.tokens,
        put: async (partition, data, index) => {
          if (failTokens) throw new Error("disk full");
          return store.tokens.put(partition, data, index);
        },
      },
    };
    const errors: unknown[] = [];
    const entrance = entranceFor(emulator, failing, {
      logger: { warn: () => {}, error: (...args: unknown[]) => errors.push(args) },
    });
    const jar = new CookieJar();
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    const before = await entrance.getSession(jar.header);
    expect(before).not.toBeNull();

    failTokens = true;
    const res = await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("store_failed");
    expect(JSON.stringify(errors)).toContain("disk full");
    // Still signed in with the earlier session; the new one was removed.
    expect((await entrance.getSession(jar.header))?.session.idHash).toBe(before?.session.idHash);
    expect(await store.sessions.listByUser(defaults.contoso, defaults.users.member)).toHaveLength(
      1,
    );
  });
});

describe("the audit log", () => {
  it("records sign-ins, failures with their AADSTS code, and sign-outs", async () => {
    const { store, entrance, jar } = fresh(emulator, { scopes: ["Calendars.Read"] });
    const login = await browse(entrance, jar, "/auth/login");
    const authorize = new URL(login.headers.get("location") ?? "");
    authorize.searchParams.set("prompt", "none");
    const { request } = await import("@entrance/emulator/testing");
    await browse(entrance, jar, (await request(authorize)).headers.location ?? "");
    const signedIn = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    await post(signedIn.entrance, signedIn.jar, "/auth/logout");

    const failed = await store.audit.list({ limit: 10, offset: 0 });
    expect(failed.events).toEqual([
      expect.objectContaining({
        type: "sign_in_failed",
        aadsts: 50058,
        tenantId: null,
        ip: "127.0.0.1",
      }),
    ]);
    const events = await signedIn.store.audit.list({ limit: 10, offset: 0 });
    expect(events.events.map((e) => e.type)).toEqual(["sign_out", "sign_in"]);
    expect(events.events[1]).toMatchObject({
      tenantId: defaults.contoso,
      objectId: defaults.users.member,
    });
    expect(JSON.stringify(events)).not.toContain("eyJ");
  });
});
