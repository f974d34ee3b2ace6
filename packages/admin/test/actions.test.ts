import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, entranceFor, fresh, startSignIn } from "../../core/test/support/emulated.js";
import { createAdmin } from "../src/index.js";
import { browserSignedInAs, confirm, csrfOf, get, post, textOf } from "./support.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

const LEE = `/admin/users/${defaults.contoso}/${defaults.users.member}`;
const LEE_TOKENS = `${defaults.users.member}.${defaults.contoso}`;

/** A core with Megan (admin) signed in once and Lee signed in from two browsers. */
async function scene() {
  const { store, entrance } = fresh(emulator);
  const admin = createAdmin(entrance);
  const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
  const leeLaptop = await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
  const leePhone = await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
  // Resolved once, so that the session cache holds them: ending them must still take effect.
  expect(await entrance.getSession(leeLaptop.header)).not.toBeNull();
  expect(await entrance.getSession(leePhone.header)).not.toBeNull();
  return { store, entrance, admin, megan, leeLaptop, leePhone };
}

async function adminEvents(store: ReturnType<typeof fresh>["store"]) {
  const { events } = await store.audit.list({ limit: 50, offset: 0 });
  return events.filter((event) => event.actor !== null);
}

describe("confirmation", () => {
  it("shows a confirmation page whose form posts back with a token, then returns to the user with a notice", async () => {
    const { admin, megan, store } = await scene();
    const page = await get(admin, megan, `${LEE}/end-sessions`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(textOf(html)).toContain("End all sessions of Lee Gu?");
    expect(textOf(html)).toContain("signed in with 2 sessions");
    expect(html).toContain(`<form method="post" action="${LEE}/end-sessions">`);
    expect(html).toContain(`href="${LEE}" id="cancel"`);
    // Opening the page changed nothing.
    expect(await store.sessions.listByUser(defaults.contoso, defaults.users.member)).toHaveLength(
      2,
    );

    const done = await post(admin, megan, `${LEE}/end-sessions`, { csrf: csrfOf(html) });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`${LEE}?done=sessions-ended&n=2`);
    const after = textOf(await (await get(admin, megan, `${LEE}?done=sessions-ended&n=2`)).text());
    expect(after).toContain("Ended 2 sessions: signed out at the next request.");
  });
});

describe("CSRF protection", () => {
  it("refuses a POST without the token, with another form's token, another session's token, or from another site", async () => {
    const { entrance, admin, megan, store } = await scene();
    const otherMegan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    const path = `${LEE}/disable`;
    const token = csrfOf(await (await get(admin, megan, path)).text());
    const otherFormToken = csrfOf(await (await get(admin, megan, `${LEE}/evict-tokens`)).text());
    const otherSessionToken = csrfOf(await (await get(admin, otherMegan, path)).text());

    const attempts = [
      post(admin, megan, path, {}),
      post(admin, megan, path, { csrf: "forged" }),
      post(admin, megan, path, { csrf: otherFormToken }),
      post(admin, megan, path, { csrf: otherSessionToken }),
      post(admin, megan, path, { csrf: token }, { origin: "https://evil.example" }),
      // What browsers send from a sandboxed frame, or under a no-referrer policy.
      post(admin, megan, path, { csrf: token }, { origin: "null", site: "same-origin" }),
      post(admin, megan, path, { csrf: token }, { site: "cross-site" }),
      post(admin, megan, path, { csrf: token }, { site: "same-site" }),
      post(admin, megan, path, { csrf: token }, { contentType: "text/plain" }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(textOf(await response.text())).toContain("nothing was changed");
    }
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(false);
    expect(await adminEvents(store)).toHaveLength(0);
    // The genuine form still works.
    expect((await post(admin, megan, path, { csrf: token })).status).toBe(303);
  });

  it("accepts the token after the secrets were rotated (an older secret still verifies)", async () => {
    const { store, entrance, admin, megan } = await scene();
    const token = csrfOf(await (await get(admin, megan, `${LEE}/evict-tokens`)).text());
    const rotated = entranceFor(emulator, store, {
      secrets: ["a-newer-secret-a-newer-secret-a-newer-secret", ...entrance.config.secrets],
    });
    const response = await post(createAdmin(rotated), megan, `${LEE}/evict-tokens`, {
      csrf: token,
    });
    expect(response.status).toBe(303);
  });
});

describe("actions", () => {
  it("ends one session: that browser is signed out at its next request, the other stays", async () => {
    const { entrance, admin, megan, leeLaptop, leePhone, store } = await scene();
    const page = await (await get(admin, megan, LEE)).text();
    const ends = [...page.matchAll(/href="([^"]+\/sessions\/[^"]+\/end)"/g)].map((m) => m[1]);
    expect(ends).toHaveLength(2);
    const laptop = await entrance.getSession(leeLaptop.header);
    const path = `${LEE}/sessions/${encodeURIComponent(laptop?.session.idHash ?? "")}/end`;
    expect(ends).toContain(path);
    const confirmation = textOf(await (await get(admin, megan, path)).text());
    expect(confirmation).toContain("End this session?");
    expect(confirmation).toContain("from 127.0.0.1");

    const done = await confirm(admin, megan, path);
    expect(done.headers.get("location")).toBe(`${LEE}?done=session-ended`);
    expect(await entrance.getSession(leeLaptop.header)).toBeNull();
    expect(await entrance.getSession(leePhone.header)).not.toBeNull();
    expect(await store.tokens.get(LEE_TOKENS)).not.toBeNull();
    const [event] = await adminEvents(store);
    expect(event).toMatchObject({
      type: "session_ended",
      tenantId: defaults.contoso,
      objectId: defaults.users.member,
      actor: { tenantId: defaults.contoso, objectId: defaults.users.admin, name: "Megan Bowen" },
      ip: "203.0.113.7",
    });
    expect(event?.detail).toContain("Megan Bowen ended a session of Lee Gu");
    // Once ended, its confirmation link says so rather than offering to end it again.
    const again = await get(admin, megan, path);
    expect(again.headers.get("location")).toBe(`${LEE}?done=session-gone`);
  });

  it("ends every session of a user, keeping their tokens", async () => {
    const { entrance, admin, megan, leeLaptop, leePhone, store } = await scene();
    await confirm(admin, megan, `${LEE}/end-sessions`);
    expect(await entrance.getSession(leeLaptop.header)).toBeNull();
    expect(await entrance.getSession(leePhone.header)).toBeNull();
    expect(await entrance.getSession(megan.header)).not.toBeNull();
    expect(await store.tokens.get(LEE_TOKENS)).not.toBeNull();
    expect((await adminEvents(store))[0]?.detail).toContain(
      "ended all sessions of Lee Gu (lee@contoso.onmicrosoft.com) (2 sessions)",
    );
  });

  it("evicts a user's tokens, keeping their sessions", async () => {
    const { entrance, admin, megan, leeLaptop, store } = await scene();
    const done = await confirm(admin, megan, `${LEE}/evict-tokens`);
    expect(done.headers.get("location")).toBe(`${LEE}?done=tokens-evicted`);
    expect(await store.tokens.get(LEE_TOKENS)).toBeNull();
    expect(
      await entrance.describeTokens({
        tenantId: defaults.contoso,
        objectId: defaults.users.member,
      }),
    ).toBeNull();
    expect(await entrance.getSession(leeLaptop.header)).not.toBeNull();
    expect((await adminEvents(store))[0]?.type).toBe("tokens_evicted");
    const page = textOf(await (await get(admin, megan, `${LEE}?done=tokens-evicted`)).text());
    expect(page).toContain("No tokens are stored for this user.");
  });

  it("disables a user: sessions ended, tokens evicted, next sign-in refused; enabling lets them back", async () => {
    const { entrance, admin, megan, leeLaptop, store } = await scene();
    const confirmation = textOf(await (await get(admin, megan, `${LEE}/disable`)).text());
    expect(confirmation).toContain("Their 2 sessions end now");
    await confirm(admin, megan, `${LEE}/disable`);
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(true);
    expect(await entrance.getSession(leeLaptop.header)).toBeNull();
    expect(await store.sessions.listByUser(defaults.contoso, defaults.users.member)).toEqual([]);
    expect(await store.tokens.get(LEE_TOKENS)).toBeNull();
    const page = await (await get(admin, megan, `${LEE}?done=user-disabled`)).text();
    expect(textOf(page)).toContain("This user is disabled");
    expect(page).toContain('id="enable"');

    const refused = await browse(
      entrance,
      leeLaptop,
      await startSignIn(emulator, entrance, leeLaptop, "lee@contoso.onmicrosoft.com"),
    );
    expect(refused.status).toBe(403);
    expect(textOf(await refused.text())).toContain("An administrator has disabled your account");

    await confirm(admin, megan, `${LEE}/enable`);
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(false);
    const back = await browse(
      entrance,
      leeLaptop,
      await startSignIn(emulator, entrance, leeLaptop, "lee@contoso.onmicrosoft.com"),
    );
    expect(back.status).toBe(302);
    expect(await entrance.getSession(leeLaptop.header)).not.toBeNull();
    const types = (await adminEvents(store)).map((event) => event.type);
    expect(types).toEqual(["user_enabled", "user_disabled"]);
  });

  it("refuses to let an administrator disable themselves", async () => {
    const { admin, megan, store } = await scene();
    const self = `/admin/users/${defaults.contoso}/${defaults.users.admin}/disable`;
    const forged = await post(admin, megan, self, { csrf: "whatever" });
    expect(forged.status).toBe(400);
    expect((await store.users.get(defaults.contoso, defaults.users.admin))?.disabled).toBe(false);
  });

  it("is a 404 for an action on an unknown user or an unknown action", async () => {
    const { admin, megan } = await scene();
    expect(
      (await get(admin, megan, `/admin/users/${defaults.contoso}/nobody/disable`)).status,
    ).toBe(404);
    expect((await get(admin, megan, `${LEE}/delete`)).status).toBe(404);
    expect((await get(admin, megan, `${LEE}/end-session`)).status).toBe(404);
  });
});
