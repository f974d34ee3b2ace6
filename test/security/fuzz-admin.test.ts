/**
 * Property-based fuzzing of the admin panel on a SQLite store: forms posted to every action
 * without the form's own token, any search, page and filter, and any path under the panel. Never
 * a 5xx, and nothing an administrator's action would change is changed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAdmin, type EntranceAdmin } from "@entrance/admin";
import type { Entrance, EntranceStore } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { openSqlStore } from "@entrance/store-sql";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserSignedInAs, csrfOf, get, post } from "../../packages/admin/test/support.js";
import type { CookieJar } from "../../packages/core/test/support/emulated.js";
import { entranceFor } from "../../packages/core/test/support/emulated.js";
import { fuzzRuns } from "./support/fuzz.js";

const LEE = `/admin/users/${defaults.contoso}/${defaults.users.member}`;
/** Text a person or a script could put in a form field or query parameter. */
const anyText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.constantFrom("%", "_", "\\", "%_%", "' OR 1=1 --", "\u0000", "9".repeat(40), "-1", "1e309"),
);

let emulator: RunningEmulator;
let folder: string;
let store: EntranceStore;
let entrance: Entrance;
let admin: EntranceAdmin;
let megan: CookieJar;

beforeAll(async () => {
  emulator = await startEmulator();
  folder = await mkdtemp(join(tmpdir(), "entrance-fuzz-admin-"));
  store = await openSqlStore(join(folder, "entrance.db"));
  entrance = entranceFor(emulator, store);
  admin = createAdmin(entrance);
  megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
  // Lee, the user acted on, with a session and tokens of his own.
  await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
}, 60_000);

afterAll(async () => {
  await store?.close();
  await emulator?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** What an administrator's action would change: Lee's record, sessions and tokens, the audit log. */
async function state() {
  const lee = await store.users.get(defaults.contoso, defaults.users.member);
  return {
    users: (await store.users.list({ limit: 1, offset: 0 })).total,
    leeDisabled: lee?.disabled,
    leeSessions: (await store.sessions.listByUser(defaults.contoso, defaults.users.member)).length,
    leeTokens: (await store.tokens.get(`${defaults.users.member}.${defaults.contoso}`)) !== null,
    audit: (await store.audit.list({ limit: 1, offset: 0 })).total,
  };
}

describe("Fuzzing", () => {
  it("any form posted to an administrator's action without that form's own token changes nothing and is never a 5xx", async () => {
    const [session] = await store.sessions.listByUser(defaults.contoso, defaults.users.member);
    const actions = [
      "disable",
      "enable",
      "end-sessions",
      "evict-tokens",
      `sessions/${session?.idHash}/end`,
    ];
    // A real token, for one action: the near misses below are built from it.
    const real = csrfOf(await (await get(admin, megan, `${LEE}/disable`)).text());
    const csrf = fc.oneof(
      anyText,
      fc
        .nat({ max: real.length - 1 })
        .map((at) => `${real.slice(0, at)}${real[at] === "A" ? "B" : "A"}${real.slice(at + 1)}`),
      fc.constant(real.slice(0, -1)),
      fc.constant(`${real}=`),
    );
    const before = await state();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...actions),
        csrf,
        fc.dictionary(fc.string({ maxLength: 20 }), anyText, { maxKeys: 4 }),
        fc.record({
          origin: fc.constantFrom("http://localhost:3000", "http://evil.example", "null"),
          site: fc.constantFrom("same-origin", "same-site", "cross-site", "none"),
          contentType: fc.constantFrom(
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "application/json",
          ),
        }),
        async (action, token, extra, from) => {
          const path = `${LEE}/${action}`;
          // The real token only ever goes to another action than the one it was made for.
          const sent = action === "disable" && token === real ? `${token}x` : token;
          const response = await post(admin, megan, path, { ...extra, csrf: sent }, from);
          expect(response.status).toBeLessThan(500);
          expect([403, 404, 405]).toContain(response.status);
        },
      ),
      fuzzRuns(1000),
    );
    expect(await state()).toEqual(before);
  });

  it("any search, page and filter of the users list and the audit log answers 200, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("users", "audit"),
        fc.record(
          { q: anyText, page: anyText, type: anyText, tenant: anyText, user: anyText },
          { requiredKeys: [] },
        ),
        async (section, params) => {
          const url = new URL(`http://localhost:3000/admin/${section}`);
          for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
          const response = await get(admin, megan, `${url.pathname}${url.search}`);
          expect(response.status).toBe(200);
        },
      ),
      fuzzRuns(1000),
    );
  });

  it("any path under the panel, however encoded, answers without a 5xx", async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.string({ unit: fc.constantFrom(..."%0123456789abcdefgAF/._-~"), maxLength: 40 }),
      fc.constantFrom(
        defaults.contoso,
        defaults.users.member,
        "users",
        "audit",
        "sessions",
        "end",
        "..",
        "%2e%2e",
        "%00",
        "%ZZ",
      ),
    );
    const before = await state();
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 6 }), async (segments) => {
        const response = await get(admin, megan, `/admin/${segments.join("/")}`);
        expect(response.status).toBeLessThan(500);
      }),
      fuzzRuns(1000),
    );
    expect(await state()).toEqual(before);
  });
});
