import { decodeJwt } from "jose";
import { decode as decodeJpeg } from "jpeg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, GRAPH_APP_ID, type RunningEmulator, startEmulator } from "../src/index.js";
import { type RawResponse, request, signInWithoutBrowser } from "../src/testing/index.js";

const MEGAN = "megan@contoso.onmicrosoft.com";
const ADELE = "adele@contoso.onmicrosoft.com";
const ALEX = "alex@contoso.onmicrosoft.com";

interface GraphErrorBody {
  error: { code: string; message: string; innerError: Record<string, string> };
}

interface GroupPage {
  "@odata.context": string;
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
  value: {
    "@odata.type": string;
    id: string;
    displayName: string;
    securityEnabled: boolean;
    mailEnabled: boolean;
  }[];
}

let emulator: RunningEmulator;
/** Graph access tokens, each from a real sign-in through the emulator's pages. */
const tokens = { megan: "", adele: "", alex: "", meganReadBasic: "", api: "" };
let adeleIdToken = "";
let meganIdToken = "";

beforeAll(async () => {
  emulator = await startEmulator();
  const signIn = (user: string, scopes: string[]) =>
    signInWithoutBrowser(emulator, { user, scopes });
  const [megan, adele, alex, api] = await Promise.all([
    signIn(MEGAN, ["User.Read", "email"]),
    signIn(ADELE, ["User.Read"]),
    signIn(ALEX, ["User.Read"]),
    signIn(MEGAN, [`api://${defaults.webApp}/access_as_user`]),
  ]);
  // After the others: once Megan consents to User.ReadBasic.All, her later Graph tokens carry it.
  const meganReadBasic = await signIn(MEGAN, ["User.ReadBasic.All"]);
  tokens.megan = megan.accessToken;
  tokens.adele = adele.accessToken;
  tokens.alex = alex.accessToken;
  tokens.meganReadBasic = meganReadBasic.accessToken;
  tokens.api = api.accessToken;
  adeleIdToken = adele.idToken;
  meganIdToken = megan.idToken;
});

afterAll(async () => {
  await emulator?.stop();
});

function graph(
  path: string,
  token: string | undefined,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = path.startsWith("https://") ? path : `${emulator.urls.https}${path}`;
  return request(url, {
    ca: emulator.caCertPem,
    ...(options.method ? { method: options.method } : {}),
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

function expectGraphError(res: RawResponse, status: number, code: string): GraphErrorBody["error"] {
  expect(res.status).toBe(status);
  const { error } = res.json<GraphErrorBody>();
  expect(error.code).toBe(code);
  expect(error.innerError).toEqual({
    date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
    "request-id": res.headers["request-id"],
    "client-request-id": res.headers["client-request-id"],
  });
  return error;
}

describe("users", () => {
  it("answers /me with Graph's default properties for Megan", async () => {
    const res = await graph("/v1.0/me", tokens.megan);
    expect(res.status).toBe(200);
    expect(res.headers["odata-version"]).toBe("4.0");
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json()).toEqual({
      "@odata.context": `${emulator.urls.https}/v1.0/$metadata#users/$entity`,
      businessPhones: ["+1 425 555 0109"],
      displayName: "Megan Bowen",
      givenName: "Megan",
      jobTitle: "IT Administrator",
      mail: "megan.bowen@contoso.com",
      mobilePhone: null,
      officeLocation: "12/1110",
      preferredLanguage: "en-US",
      surname: "Bowen",
      userPrincipalName: MEGAN,
      id: defaults.users.admin,
    });
  });

  it("echoes the caller's client-request-id", async () => {
    const clientRequestId = "0b4d0c4e-55f1-4b4e-9a39-1b2c3d4e5f60";
    const res = await graph("/v1.0/me", tokens.megan, {
      headers: { "client-request-id": clientRequestId },
    });
    expect(res.headers["client-request-id"]).toBe(clientRequestId);
    expect(res.headers["request-id"]).not.toBe(clientRequestId);
  });

  it("returns only the $select-ed properties, including ones outside the default set", async () => {
    const res = await graph("/v1.0/me?$select=displayName,accountEnabled,userType", tokens.megan);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      "@odata.context": `${emulator.urls.https}/v1.0/$metadata#users(displayName,accountEnabled,userType)/$entity`,
      displayName: "Megan Bowen",
      accountEnabled: true,
      userType: "Member",
    });
  });

  it("refuses an unknown property in $select with 400", async () => {
    const res = await graph("/v1.0/me?$select=displayName,shoeSize", tokens.megan);
    const error = expectGraphError(res, 400, "BadRequest");
    expect(error.message).toContain("'shoeSize'");
  });

  it("lets a user read themself by object id or by UPN in any case with User.Read", async () => {
    const byId = await graph(`/v1.0/users/${defaults.users.admin}`, tokens.megan);
    const byUpn = await graph(`/v1.0/users/${MEGAN.toUpperCase()}`, tokens.megan);
    expect(byId.status).toBe(200);
    expect(byUpn.json()).toEqual(byId.json());
  });

  it("needs User.ReadBasic.All or User.Read.All to read another user", async () => {
    expect(String(decodeJwt(tokens.megan).scp).split(" ")).not.toContain("User.ReadBasic.All");
    const denied = await graph(`/v1.0/users/${ADELE}`, tokens.megan);
    const error = expectGraphError(denied, 403, "Authorization_RequestDenied");
    expect(error.message).toBe("Insufficient privileges to complete the operation.");

    const allowed = await graph(`/v1.0/users/${ADELE}`, tokens.meganReadBasic);
    expect(allowed.status).toBe(200);
    expect(allowed.json()).toMatchObject({
      id: defaults.users.overage,
      displayName: "Adele Vance",
    });
  });

  it("answers 404 Request_ResourceNotFound for an unknown user and for a user of another tenant", async () => {
    const unknown = await graph(
      "/v1.0/users/nobody@contoso.onmicrosoft.com",
      tokens.meganReadBasic,
    );
    const error = expectGraphError(unknown, 404, "Request_ResourceNotFound");
    expect(error.message).toContain("nobody@contoso.onmicrosoft.com");

    const otherTenant = await graph(
      `/v1.0/users/${defaults.users.sameMail}`,
      tokens.meganReadBasic,
    );
    expectGraphError(otherTenant, 404, "Request_ResourceNotFound");
  });
});

describe("photos", () => {
  it("serves a deterministic 240x240 JPEG at /me/photo/$value", async () => {
    const res = await graph("/v1.0/me/photo/$value", tokens.megan);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/jpeg");
    expect([...res.body.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const image = decodeJpeg(res.body, { useTArray: true });
    expect([image.width, image.height]).toEqual([240, 240]);

    const again = await graph(`/v1.0/users/${defaults.users.admin}/photo/$value`, tokens.megan);
    expect(again.body.equals(res.body)).toBe(true);
    const adeles = await graph("/v1.0/me/photo/$value", tokens.adele);
    expect(adeles.body.equals(res.body)).toBe(false);
  });

  it("describes the photo at /me/photo", async () => {
    const res = await graph("/v1.0/me/photo", tokens.megan);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      "@odata.context": `${emulator.urls.https}/v1.0/$metadata#users('${defaults.users.admin}')/photo/$entity`,
      "@odata.mediaContentType": "image/jpeg",
      id: "240X240",
      height: 240,
      width: 240,
    });
  });

  it("serves Graph's fixed sizes under /me/photos and 404 for others", async () => {
    const small = await graph("/v1.0/me/photos/48x48/$value", tokens.megan);
    expect(small.status).toBe(200);
    expect(decodeJpeg(small.body, { useTArray: true })).toMatchObject({ width: 48, height: 48 });

    const large = await graph("/v1.0/me/photos/648x648", tokens.megan);
    expect(large.json()).toMatchObject({ id: "648X648", width: 648, height: 648 });

    expectGraphError(
      await graph("/v1.0/me/photos/50x50/$value", tokens.megan),
      404,
      "ImageNotFound",
    );
  });

  it("answers 404 ImageNotFound for Alex, who has no photo", async () => {
    expectGraphError(await graph("/v1.0/me/photo/$value", tokens.alex), 404, "ImageNotFound");
    expectGraphError(await graph("/v1.0/me/photo", tokens.alex), 404, "ImageNotFound");
  });
});

describe("group memberships", () => {
  async function allPages(first: string, token: string, headers: Record<string, string> = {}) {
    const pages: GroupPage[] = [];
    let next: string | undefined = first;
    while (next !== undefined) {
      const res = await graph(next, token, { headers });
      expect(res.status).toBe(200);
      const page: GroupPage = res.json<GroupPage>();
      pages.push(page);
      next = page["@odata.nextLink"];
    }
    return pages;
  }

  it("pages Adele's 251 groups by nextLink, 100 at a time, without duplicates", async () => {
    const pages = await allPages("/v1.0/me/memberOf", tokens.adele);
    expect(pages.map((page) => page.value.length)).toEqual([100, 100, 51]);
    const ids = pages.flatMap((page) => page.value.map((group) => group.id));
    expect(new Set(ids).size).toBe(251);
    expect(pages[0]?.["@odata.context"]).toBe(
      `${emulator.urls.https}/v1.0/$metadata#directoryObjects`,
    );
    expect(pages[0]?.value[0]).toEqual({
      "@odata.type": "#microsoft.graph.group",
      id: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
      displayName: "All Staff",
      securityEnabled: true,
      mailEnabled: false,
    });
  });

  it("honours $top in every page and gives transitiveMemberOf the same groups", async () => {
    const pages = await allPages(
      `/v1.0/users/${defaults.users.overage}/transitiveMemberOf?$top=120`,
      tokens.adele,
    );
    expect(pages.map((page) => page.value.length)).toEqual([120, 120, 11]);
    expect(pages[0]?.["@odata.nextLink"]).toContain("$top=120");
    const direct = await allPages("/v1.0/me/memberOf?$top=999", tokens.adele);
    expect(direct).toHaveLength(1);
    expect(pages.flatMap((page) => page.value.map((g) => g.id)).sort()).toEqual(
      direct.flatMap((page) => page.value.map((g) => g.id)).sort(),
    );
  });

  it("refuses a tampered $skiptoken and an out-of-range $top with 400", async () => {
    const first = (await graph("/v1.0/me/memberOf", tokens.adele)).json<GroupPage>();
    const next = new URL(first["@odata.nextLink"] ?? "");
    const token = next.searchParams.get("$skiptoken") ?? "";
    const forged = Buffer.from(
      Buffer.from(token, "base64url").toString().replace(/^\d+/, "5"),
    ).toString("base64url");
    expectGraphError(
      await graph(`/v1.0/me/memberOf?$skiptoken=${forged}`, tokens.adele),
      400,
      "Request_BadRequest",
    );
    expectGraphError(
      await graph("/v1.0/me/memberOf?$skiptoken=garbage", tokens.adele),
      400,
      "Request_BadRequest",
    );
    expectGraphError(
      await graph("/v1.0/me/memberOf?$top=1000", tokens.adele),
      400,
      "Request_BadRequest",
    );
  });

  it("needs ConsistencyLevel: eventual for $count and $search", async () => {
    const count = await graph("/v1.0/me/memberOf?$count=true", tokens.adele);
    const error = expectGraphError(count, 400, "Request_UnsupportedQuery");
    expect(error.message).toContain("ConsistencyLevel: eventual");
    const search = await graph('/v1.0/me/memberOf?$search="displayName:Project"', tokens.adele);
    expectGraphError(search, 400, "Request_UnsupportedQuery");
  });

  it("counts and searches with ConsistencyLevel: eventual", async () => {
    const eventual = { consistencylevel: "eventual" };
    const counted = await graph("/v1.0/me/memberOf?$count=true&$top=5", tokens.adele, {
      headers: eventual,
    });
    expect(counted.json<GroupPage>()["@odata.count"]).toBe(251);

    const query = `$count=true&$search=${encodeURIComponent('"displayName:Project 01"')}`;
    const searched = await graph(`/v1.0/me/memberOf?${query}`, tokens.adele, { headers: eventual });
    const page = searched.json<GroupPage>();
    expect(page["@odata.count"]).toBe(10);
    expect(page.value.map((group) => group.displayName)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Project 01${i}`),
    );

    const plain = await graph("/v1.0/me/memberOf/$count", tokens.adele, { headers: eventual });
    expect(plain.text()).toBe("251");
  });

  it("filters with a small $filter subset and the microsoft.graph.group cast, both needing eventual", async () => {
    const eventual = { consistencylevel: "eventual" };
    const filter = encodeURIComponent(
      "startswith(displayName,'Project 25') and securityEnabled eq true",
    );
    expectGraphError(
      await graph(`/v1.0/me/memberOf?$filter=${filter}`, tokens.adele),
      400,
      "Request_UnsupportedQuery",
    );
    const filtered = await graph(`/v1.0/me/memberOf?$filter=${filter}`, tokens.adele, {
      headers: eventual,
    });
    expect(filtered.json<GroupPage>().value.map((group) => group.displayName)).toEqual([
      "Project 250",
    ]);

    const unsupported = encodeURIComponent("groupTypes/any(c:c eq 'Unified')");
    const refused = await graph(`/v1.0/me/memberOf?$filter=${unsupported}`, tokens.adele, {
      headers: eventual,
    });
    expect(expectGraphError(refused, 400, "Request_UnsupportedQuery").message).toContain(
      "emulator",
    );

    expectGraphError(
      await graph("/v1.0/me/memberOf/microsoft.graph.group", tokens.adele),
      400,
      "Request_UnsupportedQuery",
    );
    const cast = await graph(
      "/v1.0/me/memberOf/microsoft.graph.group?$select=displayName",
      tokens.megan,
      {
        headers: eventual,
      },
    );
    expect(cast.json()).toEqual({
      "@odata.context": `${emulator.urls.https}/v1.0/$metadata#groups(displayName)`,
      value: [
        { "@odata.type": "#microsoft.graph.group", displayName: "All Staff" },
        { "@odata.type": "#microsoft.graph.group", displayName: "Engineering" },
      ],
    });
  });

  it("needs GroupMember.Read.All or Directory.Read.All for another user's groups", async () => {
    const res = await graph(`/v1.0/users/${MEGAN}/memberOf`, tokens.adele);
    expectGraphError(res, 403, "Authorization_RequestDenied");
  });

  it("returns Adele's 251 group ids from getMemberObjects, where her overage token points", async () => {
    const claims = decodeJwt(adeleIdToken) as { _claim_sources?: { src1?: { endpoint?: string } } };
    const endpoint = claims._claim_sources?.src1?.endpoint ?? "";
    expect(endpoint).toBe(
      `${emulator.urls.https}/v1.0/users/${defaults.users.overage}/getMemberObjects`,
    );
    const res = await graph(endpoint, tokens.adele, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ securityEnabledOnly: true }),
    });
    expect(res.status).toBe(200);
    const body = res.json<{ "@odata.context": string; value: string[] }>();
    expect(body["@odata.context"]).toBe(
      `${emulator.urls.https}/v1.0/$metadata#Collection(Edm.String)`,
    );
    expect(body.value).toHaveLength(251);
    expect(new Set(body.value)).toEqual(new Set(emulator.directory.user(ADELE)?.value.groups));

    const noBody = await graph("/v1.0/me/getMemberObjects", tokens.adele, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expectGraphError(noBody, 400, "Request_BadRequest");

    const mine = await graph("/v1.0/me/getMemberObjects", tokens.megan, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ securityEnabledOnly: false }),
    });
    expect(mine.json<{ value: string[] }>().value).toEqual(
      emulator.directory.user(MEGAN)?.value.groups,
    );
  });
});

describe("bearer tokens", () => {
  it("answers 401 with Graph's challenge when the token is missing", async () => {
    const res = await graph("/v1.0/me", undefined);
    const error = expectGraphError(res, 401, "InvalidAuthenticationToken");
    expect(error.message).toBe("Access token is empty.");
    expect(res.headers["www-authenticate"]).toBe(
      `Bearer realm="", authorization_uri="${emulator.urls.http}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
    );
  });

  it("refuses a token issued for another audience", async () => {
    expect(decodeJwt(tokens.api).aud).toBe(defaults.webApp);
    const error = expectGraphError(
      await graph("/v1.0/me", tokens.api),
      401,
      "InvalidAuthenticationToken",
    );
    expect(error.message).toContain("Invalid audience");
  });

  it("refuses a token whose claims were edited after signing, and one that is not a JWT", async () => {
    const [header, payload, signature] = tokens.megan.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const edited = Buffer.from(
      JSON.stringify({ ...claims, scp: `${claims.scp} User.Read.All` }),
    ).toString("base64url");
    const tampered = await graph(
      "/v1.0/users/adele@contoso.onmicrosoft.com",
      `${header}.${edited}.${signature}`,
    );
    expectGraphError(tampered, 401, "InvalidAuthenticationToken");

    const garbage = await graph("/v1.0/me", "not-a-token");
    expectGraphError(garbage, 401, "InvalidAuthenticationToken");
  });

  it("refuses an expired token with Graph's lifetime message", async () => {
    emulator.control.shiftClock(7200);
    try {
      const error = expectGraphError(
        await graph("/v1.0/me", tokens.megan),
        401,
        "InvalidAuthenticationToken",
      );
      expect(error.message).toBe("Lifetime validation failed, the token is expired.");
    } finally {
      emulator.control.shiftClock(-7200);
    }
  });

  it("refuses the token of a user who has since been disabled", async () => {
    const lee = await signInWithoutBrowser(emulator, {
      user: "lee@contoso.onmicrosoft.com",
      scopes: ["User.Read"],
    });
    expect((await graph("/v1.0/me", lee.accessToken)).status).toBe(200);
    const current = emulator.directory.user("lee@contoso.onmicrosoft.com")?.value;
    if (!current) throw new Error("the default directory has no Lee");
    emulator.control.putUser("contoso.onmicrosoft.com", { ...current, accountEnabled: false });
    expectGraphError(await graph("/v1.0/me", lee.accessToken), 401, "InvalidAuthenticationToken");
  });
});

describe("userinfo", () => {
  it("answers the ID token's sub and the profile and email claims", async () => {
    const res = await graph("/oidc/userinfo", tokens.megan);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      sub: decodeJwt(meganIdToken).sub,
      name: "Megan Bowen",
      family_name: "Bowen",
      given_name: "Megan",
      picture: `${emulator.urls.https}/v1.0/me/photo/$value`,
      email: "megan.bowen@contoso.com",
    });
  });

  it("needs a Graph token", async () => {
    expectGraphError(await graph("/oidc/userinfo", tokens.api), 401, "InvalidAuthenticationToken");
  });
});
