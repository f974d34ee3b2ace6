import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fresh } from "../../core/test/support/emulated.js";
import { createAdmin, DEFAULT_ADMIN_ROLE } from "../src/index.js";
import { browserSignedInAs, get, post, textOf } from "./support.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

describe("who may use the panel", () => {
  it("sends a visitor who is not signed in to sign in, returning to the page asked for", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance, { basePath: "/admin" });
    const response = await get(admin, null, "/admin/users?q=lee");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      `/auth/login?returnTo=${encodeURIComponent("/admin/users?q=lee")}`,
    );
  });

  it("answers a POST without a session with sign-in back to the confirmation page, not the form", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance);
    const path = `/admin/users/${defaults.contoso}/${defaults.users.member}/disable`;
    const response = await post(admin, null, path, { csrf: "x" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      `/auth/login?returnTo=${encodeURIComponent(path)}`,
    );
  });

  it("shows a user without the admin role a 403 page naming the role and who they are", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance);
    const lee = await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
    for (const path of ["/admin", "/admin/users", "/admin/audit", "/admin/nowhere"]) {
      const response = await get(admin, lee, path);
      expect(response.status).toBe(403);
      const text = textOf(await response.text());
      expect(text).toContain(`does not hold the app role ${DEFAULT_ADMIN_ROLE}`);
      expect(text).toContain("signed in as Lee Gu ( lee@contoso.onmicrosoft.com )");
    }
    const page = await (await get(admin, lee, "/admin/users")).text();
    // No panel navigation for someone who may not use it.
    expect(page).not.toContain('href="/admin/audit"');
    expect(page).toContain("prompt=select_account");
    const action = `/admin/users/${defaults.contoso}/${defaults.users.admin}/disable`;
    expect((await post(admin, lee, action, { csrf: "x" })).status).toBe(403);
  });

  it("lets in the holders of a configured role, and only them", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance, { adminRole: "Orders.Approve" });
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    const alex = await browserSignedInAs(emulator, entrance, "alex@contoso.onmicrosoft.com");
    const refused = await get(admin, megan, "/admin/users");
    expect(refused.status).toBe(403);
    expect(textOf(await refused.text())).toContain("Orders.Approve");
    expect((await get(admin, alex, "/admin/users")).status).toBe(200);
  });

  it("validates its options when it is created", () => {
    const { entrance } = fresh(emulator);
    expect(() => createAdmin(entrance, { basePath: "admin" })).toThrow(/basePath/);
    expect(() => createAdmin(entrance, { basePath: "/" })).toThrow(/basePath/);
    expect(() => createAdmin(entrance, { adminRole: " " })).toThrow(/adminRole/);
    expect(() => createAdmin(entrance, { pageSize: 0 })).toThrow(/pageSize/);
    expect(createAdmin(entrance, { basePath: "/staff/admin/" }).options.basePath).toBe(
      "/staff/admin",
    );
  });
});

describe("what every response carries", () => {
  it("serves the stylesheet to anyone, cached under its versioned URL", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance);
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    const page = await (await get(admin, megan, "/admin/users")).text();
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page)?.[1] ?? "";
    expect(href).toMatch(/^\/admin\/admin\.css\?v=[\w-]{10}$/);
    const css = await get(admin, null, href);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toContain("immutable");
    expect(await css.text()).toContain(":focus-visible");
  });

  it("sends a strict CSP, no script and no inline style on any page", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance);
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    const user = `/admin/users/${defaults.contoso}/${defaults.users.admin}`;
    for (const path of ["/admin/users", user, `${user}/end-sessions`, "/admin/audit", "/admin/x"]) {
      const response = await get(admin, megan, path);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      const html = await response.text();
      expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    }
  });

  it("redirects its root to the users, 404s unknown paths and 405s other methods", async () => {
    const { entrance } = fresh(emulator);
    const admin = createAdmin(entrance);
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    const root = await get(admin, megan, "/admin");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/admin/users");
    expect((await get(admin, megan, "/admin/users/a/b/c/d")).status).toBe(404);
    expect((await get(admin, megan, "/admin/users/%E0%A4%A/x")).status).toBe(404);
    expect((await get(admin, megan, "/elsewhere")).status).toBe(404);
    expect((await post(admin, megan, "/admin/users", {})).status).toBe(405);
    const put = await admin.handle(
      new Request("http://localhost:3000/admin/users", { method: "PUT" }),
    );
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
    const head = await admin.handle(
      new Request("http://localhost:3000/admin/admin.css", { method: "HEAD" }),
    );
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});
