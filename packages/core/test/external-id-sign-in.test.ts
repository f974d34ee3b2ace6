/**
 * An Entra External ID app against the emulator's External ID tenant: sign-up through the
 * sign-up link (prompt=create) with the e-mailed one-time code, sign-in of an existing customer,
 * the customer claim set (no groups, no e-mail), Graph as the customer, and a workforce token
 * refused at the app.
 */
import { externalDefaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount, signUpOnPages } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type Entrance } from "../src/index.js";
import { APP_BASE, browse, CookieJar, entranceFor } from "./support/emulated.js";

const TENANT = `${externalDefaults.subdomain}.onmicrosoft.com`;
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

/** An Entrance for the emulator's External ID tenant, configured as the README says. */
function customerApp() {
  const store = createMemoryStore();
  const entrance = entranceFor(emulator, store, {
    tenantId: TENANT,
    clientId: externalDefaults.app,
    clientSecret: externalDefaults.appSecret,
    graphBaseUrl: emulator.urls.https,
    env: { ENTRANCE_EXTERNAL_ID: "true" },
    authorization: { trustedTenants: [externalDefaults.tenant] },
  });
  return { store, entrance, jar: new CookieJar() };
}

async function authorizeFrom(entrance: Entrance, jar: CookieJar, path: string) {
  const login = await browse(entrance, jar, path);
  expect(login.status).toBe(302);
  return login.headers.get("location") ?? "";
}

describe("an External ID app", () => {
  it("signs a new customer up through its sign-up link, as a customer without groups or e-mail", async () => {
    const { store, entrance, jar } = customerApp();
    const signUp = entrance.signUpUrl("/account");
    expect(signUp).toBe("/auth/login?returnTo=%2Faccount&prompt=create");
    const authorize = await authorizeFrom(entrance, jar, signUp);
    expect(new URL(authorize).searchParams.get("prompt")).toBe("create");

    const email = `shopper.${Date.now()}@example.org`;
    const back = await signUpOnPages(emulator, authorize, {
      email,
      password: "Sh0pping-cart",
      displayName: "Casey Shopper",
    });
    const done = await browse(entrance, jar, back.location);
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/account");

    const signedIn = await entrance.getSession(jar.header);
    const created = emulator.directory.tenant(TENANT)?.users.find((u) => u.mail === email);
    expect(signedIn?.user).toMatchObject({
      tenantId: externalDefaults.tenant,
      objectId: created?.id,
      accountKind: "customer",
      displayName: "Casey Shopper",
      username: email,
      mail: null,
      groups: [],
      groupsOverage: false,
    });
    expect(await store.users.get(externalDefaults.tenant, created?.id ?? "")).not.toBeNull();

    // Graph on behalf of the customer: delegated User.Read.
    const context = await entrance.context(
      new Request(`${APP_BASE}/account`, { headers: { cookie: jar.header } }),
    );
    await expect(context.graph.api("/me").get()).resolves.toMatchObject({
      id: created?.id,
      displayName: "Casey Shopper",
    });
  });

  it("signs an existing customer in, and offers the sign-up link to templates", async () => {
    const { entrance, jar } = customerApp();
    const authorize = await authorizeFrom(entrance, jar, entrance.loginUrl("/"));
    expect(new URL(authorize).searchParams.has("prompt")).toBe(false);
    const { location } = await pickAccount(emulator, authorize, {
      user: externalDefaults.customer,
    });
    await browse(entrance, jar, location);
    const signedIn = await entrance.getSession(jar.header);
    expect(signedIn?.user).toMatchObject({
      objectId: externalDefaults.customer,
      accountKind: "customer",
      username: externalDefaults.customerEmail,
    });
    const anonymous = await entrance.context(new Request(`${APP_BASE}/shop?item=1`));
    expect(anonymous.locals.signUpUrl).toBe(
      "/auth/login?returnTo=%2Fshop%3Fitem%3D1&prompt=create",
    );
  });

  it("refuses a workforce user's token, signed by the same Entra, at the External ID app", async () => {
    const { store, entrance, jar } = customerApp();
    const authorize = await authorizeFrom(entrance, jar, entrance.loginUrl("/"));
    // The token endpoint answers with an ID token for a user of another tenant (contoso, a
    // workforce tenant): real signature, this app's audience and nonce.
    emulator.control.queueFault("token", { kind: "id_token", defect: "other-tenant" }, 1, {
      clientId: externalDefaults.app,
    });
    const { location } = await pickAccount(emulator, authorize, {
      user: externalDefaults.customer,
    });
    const answer = await browse(entrance, jar, location);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("The ID token was rejected");
    expect(await entrance.getSession(jar.header)).toBeNull();
    expect((await store.users.list({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it("ignores prompt=create at a workforce app: its sign-up link is the sign-in link", async () => {
    const workforce = entranceFor(emulator, createMemoryStore());
    expect(workforce.signUpUrl("/a")).toBe("/auth/login?returnTo=%2Fa");
    const authorize = await authorizeFrom(
      workforce,
      new CookieJar(),
      "/auth/login?returnTo=%2F&prompt=create",
    );
    expect(new URL(authorize).searchParams.has("prompt")).toBe(false);
  });
});
