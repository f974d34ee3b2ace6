import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CookieJar } from "../../core/test/support/emulated.js";
import { fresh } from "../../core/test/support/emulated.js";
import { createAdmin, type EntranceAdmin } from "../src/index.js";
import { browserSignedInAs, confirm, get, tableText, textOf } from "./support.js";

let emulator: RunningEmulator;
let admin: EntranceAdmin;
let megan: CookieJar;

const LEE = `/admin/users/${defaults.contoso}/${defaults.users.member}`;

beforeAll(async () => {
  emulator = await startEmulator();
  const { entrance, store } = fresh(emulator);
  admin = createAdmin(entrance, { pageSize: 5 });
  megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
  await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
  await browserSignedInAs(emulator, entrance, "alex@contoso.onmicrosoft.com");
  await store.audit.append({
    at: new Date(),
    type: "sign_in_failed",
    tenantId: null,
    objectId: null,
    actor: null,
    detail: `identity_provider_error: <b>the user is not assigned</b> to a role`,
    aadsts: 50105,
    ip: "198.51.100.4",
  });
  await confirm(admin, megan, `${LEE}/evict-tokens`);
  await confirm(admin, megan, `${LEE}/end-sessions`);
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
});

describe("the audit log", () => {
  it("lists sign-ins, failures with their AADSTS code and admin actions with who did them, newest first", async () => {
    const response = await get(admin, megan, "/admin/audit");
    expect(response.status).toBe(200);
    const html = await response.text();
    const rows = tableText(html, "audit");
    expect(textOf(html)).toContain("Events — 6 in all");
    expect(textOf(html)).toContain("Showing 1–5 of 6");
    // Newest first: the last admin action leads.
    expect(rows.indexOf("Session ended")).toBeLessThan(rows.indexOf("Tokens evicted"));
    expect(rows).toContain("Megan Bowen ended all sessions of Lee Gu");
    expect(rows).toMatch(/Session ended Lee Gu Megan Bowen/);
    expect(rows).toContain("AADSTS50105");
    expect(rows).toContain("198.51.100.4");
    expect(html).toContain("&#60;b&#62;the user is not assigned&#60;/b&#62;");
    expect(html).not.toContain("<b>the user");
    expect(html).toContain(`href="${LEE}"`);
    const older = tableText(await (await get(admin, megan, "/admin/audit?page=2")).text(), "audit");
    expect(older).toContain("Signed in");
    expect(older).toContain("signed in as megan@contoso.onmicrosoft.com");
  });

  it("filters by event type, user, tenant and text, together", async () => {
    const signIns = await (await get(admin, megan, "/admin/audit?type=sign_in")).text();
    expect(textOf(signIns)).toContain("3 matching");
    expect(signIns).toContain('<option value="sign_in" selected>');
    const lee = textOf(
      await (await get(admin, megan, `/admin/audit?user=${defaults.users.member}`)).text(),
    );
    expect(lee).toContain("3 matching");
    const leeSignIns = textOf(
      await (
        await get(
          admin,
          megan,
          `/admin/audit?type=sign_in&tenant=${defaults.contoso}&user=${defaults.users.member}`,
        )
      ).text(),
    );
    expect(leeSignIns).toContain("1 matching");
    const byText = tableText(
      await (await get(admin, megan, "/admin/audit?q=evicted")).text(),
      "audit",
    );
    expect(byText).toContain("Megan Bowen evicted the tokens of Lee Gu");
    expect(byText).not.toContain("Signed in");
    const none = textOf(await (await get(admin, megan, "/admin/audit?q=nothing-like-this")).text());
    expect(none).toContain("No event matches these filters.");
  });

  it("ignores an event type it does not know, and escapes the filters it shows back", async () => {
    const html = await (
      await get(admin, megan, "/admin/audit?type=drop_table&q=%22%3E%3Cscript%3E")
    ).text();
    expect(html).not.toContain("<script");
    expect(html).toContain('value="&#34;&#62;&#60;script&#62;"');
    expect(html).not.toContain("selected>");
  });

  it("links from a user's page to their events", async () => {
    const page = await (await get(admin, megan, LEE)).text();
    const link = /href="([^"]+)" id="user-audit"/.exec(page)?.[1]?.replaceAll("&#38;", "&") ?? "";
    const events = await (await get(admin, megan, link)).text();
    expect(textOf(events)).toContain("3 matching");
    expect(events).toContain(`id="user" name="user" value="${defaults.users.member}"`);
    expect(events).toContain(`id="tenant" name="tenant" value="${defaults.contoso}"`);
  });
});
