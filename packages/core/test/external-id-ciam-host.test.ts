/**
 * An External ID app configured as for the real service — `AZURE_AUTHORITY_HOST` a
 * `….ciamlogin.com` host, no `ENTRANCE_EXTERNAL_ID` — signing customers in against the emulator
 * at that host name. The name reaches the emulator through its host proxy (a test-only route for
 * this process's node:https connections): Entrance's network client, its trust of the emulator's
 * certificate authority and its External ID rules are the ones an app runs with.
 */
import { externalDefaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import {
  type HostProxy,
  pickAccount,
  routeCiamHostsThrough,
  startEmulatorHostProxy,
} from "@entrance/emulator/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStore, type IdTokenClaims, type Logger } from "../src/index.js";
import { browse, CookieJar, entranceFor } from "./support/emulated.js";

const TID = externalDefaults.tenant;
const HOST = `https://${externalDefaults.subdomain}.ciamlogin.com`;
const ISSUER = `https://${TID}.ciamlogin.com/${TID}/v2.0`;

let emulator: RunningEmulator;
let proxy: HostProxy;
let unroute: () => void;
beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startEmulatorHostProxy(emulator);
  unroute = routeCiamHostsThrough(proxy);
});
afterAll(async () => {
  unroute?.();
  await proxy?.close();
  await emulator?.stop();
});
beforeEach(() => emulator.control.clearFaults());

/** The app as docs/external-id.md configures it: the ciamlogin.com host and the tenant. */
function customerApp(tenantId: string) {
  const store = createMemoryStore();
  const claims: IdTokenClaims[] = [];
  const logged: string[] = [];
  const keep = (fields: object, message: string) =>
    logged.push(`${message} ${JSON.stringify(fields)}`);
  const logger: Logger = { info: keep, warn: keep, error: keep };
  const entrance = entranceFor(emulator, store, {
    authorityHost: HOST,
    tenantId,
    clientId: externalDefaults.app,
    clientSecret: externalDefaults.appSecret,
    authorization: { trustedTenants: [TID] },
    logger,
    onSignIn: (event) => {
      claims.push(event.claims);
      return true;
    },
  });
  return { store, entrance, jar: new CookieJar(), claims, logged };
}

describe("an External ID app on the ciamlogin.com host", () => {
  for (const tenantId of [`${externalDefaults.subdomain}.onmicrosoft.com`, TID]) {
    it(`signs a customer in with AZURE_TENANT_ID ${tenantId}, the ID token issued by {tid}.ciamlogin.com`, async () => {
      const { entrance, jar, claims } = customerApp(tenantId);
      const login = await browse(entrance, jar, entrance.loginUrl("/orders"));
      expect(login.status).toBe(302);
      const authorize = new URL(login.headers.get("location") ?? "");
      expect(authorize.origin).toBe(HOST);
      expect(authorize.pathname).toBe(`/${TID}/oauth2/v2.0/authorize`);

      const { location } = await pickAccount(emulator, authorize, {
        user: externalDefaults.customer,
      });
      const done = await browse(entrance, jar, location);
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/orders");

      expect(claims.map((c) => c.iss)).toEqual([ISSUER]);
      const session = await entrance.getSession(jar.header);
      expect(session?.user).toMatchObject({
        tenantId: TID,
        objectId: externalDefaults.customer,
        accountKind: "customer",
        username: externalDefaults.customerEmail,
      });
    });
  }

  it("refuses a workforce user's token on this host: its issuer is not External ID's", async () => {
    const { store, entrance, jar, logged } = customerApp(TID);
    const login = await browse(entrance, jar, entrance.loginUrl("/"));
    // The token endpoint answers with an ID token of a workforce tenant (Contoso): real signature,
    // this app's audience and nonce, the workforce issuer.
    emulator.control.queueFault("token", { kind: "id_token", defect: "other-tenant" }, 1, {
      clientId: externalDefaults.app,
    });
    const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", {
      user: externalDefaults.customer,
    });
    const answer = await browse(entrance, jar, location);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("The ID token was rejected");
    expect(logged.join("\n")).toContain(`is not ${ISSUER}`);
    expect(await entrance.getSession(jar.header)).toBeNull();
    expect((await store.users.list({ limit: 10, offset: 0 })).total).toBe(0);
  });
});
