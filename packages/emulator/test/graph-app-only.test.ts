import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, GRAPH_APP_ID, type RunningEmulator, startEmulator } from "../src/index.js";
import { clientCredentialsToken, request } from "../src/testing/index.js";

/** Graph called by an app as itself: its application permissions decide, for any user of its tenant. */
let emulator: RunningEmulator;
let daemonToken: string;
beforeAll(async () => {
  emulator = await startEmulator();
  daemonToken = (
    await clientCredentialsToken(emulator, { scope: "https://graph.microsoft.com/.default" })
  ).accessToken;
});
afterAll(async () => {
  await emulator?.stop();
});

function graph(path: string, token = daemonToken, method = "GET") {
  const post = method === "POST";
  return request(`${emulator.urls.https}/v1.0${path}`, {
    method,
    ca: emulator.caCertPem,
    headers: {
      authorization: `Bearer ${token}`,
      ...(post ? { "content-type": "application/json" } : {}),
    },
    ...(post ? { body: JSON.stringify({ securityEnabledOnly: false }) } : {}),
  });
}

type GraphError = { error: { code: string; message: string } };

describe("app-only tokens on Graph", () => {
  it("read any user of the tenant by id or UPN with User.Read.All, and their photo", async () => {
    const byId = await graph(`/users/${defaults.users.admin}`);
    expect(byId.status).toBe(200);
    expect(byId.json()).toMatchObject({
      id: defaults.users.admin,
      userPrincipalName: "megan@contoso.onmicrosoft.com",
    });
    const byUpn = await graph("/users/lee@contoso.onmicrosoft.com");
    expect(byUpn.json()).toMatchObject({ id: defaults.users.member });
    const photo = await graph(`/users/${defaults.users.admin}/photo/$value`);
    expect(photo.status).toBe(200);
    expect(photo.headers["content-type"]).toBe("image/jpeg");
  });

  it("have no /me (400), no users of other tenants (404), no mail (403)", async () => {
    const me = await graph("/me");
    expect(me.status).toBe(400);
    expect(me.json<GraphError>().error.message).toBe(
      "/me request is only valid with delegated authentication flow.",
    );
    expect((await graph(`/users/${defaults.users.sameMail}`)).status).toBe(404);
    const mail = await graph(`/users/${defaults.users.admin}/messages`);
    expect(mail.status).toBe(403);
    expect(mail.json<GraphError>().error.message).toMatch(/needs a delegated \(user\) token/);
  });

  it("need the role the operation takes: memberships with GroupMember.Read.All", async () => {
    const path = `/users/${defaults.users.admin}/memberOf`;
    expect((await graph(path)).json<GraphError>().error.code).toBe("Authorization_RequestDenied");
    const daemon = emulator.directory.app(defaults.daemonApp)?.value;
    if (!daemon) throw new Error("no built-in daemon");
    emulator.control.putApp("contoso.onmicrosoft.com", {
      ...daemon,
      applicationPermissions: {
        ...daemon.applicationPermissions,
        [GRAPH_APP_ID]: ["User.Read.All", "GroupMember.Read.All"],
      },
    });
    const token = (
      await clientCredentialsToken(emulator, { scope: "https://graph.microsoft.com/.default" })
    ).accessToken;
    const groups = await graph(path, token);
    expect(groups.status).toBe(200);
    expect(groups.json<{ value: unknown[] }>().value).toHaveLength(2);
    const ids = await graph(`/users/${defaults.users.overage}/getMemberObjects`, token, "POST");
    expect(ids.json<{ value: string[] }>().value.length).toBeGreaterThan(200);
  });

  it("of an app granted nothing on Graph are refused (403)", async () => {
    const { accessToken } = await clientCredentialsToken(emulator, {
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      scope: "https://graph.microsoft.com/.default",
    });
    const res = await graph(`/users/${defaults.users.admin}`, accessToken);
    expect(res.status).toBe(403);
    expect(res.json<GraphError>().error.message).toBe(
      "Insufficient privileges to complete the operation.",
    );
  });
});
