import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { type RawResponse, request, signInWithoutBrowser } from "../src/testing/index.js";

const MEGAN = "megan@contoso.onmicrosoft.com";
const ADELE = "adele@contoso.onmicrosoft.com";
const ACCESS_DENIED = "Access is denied. Check credentials and try again.";

interface GraphErrorBody {
  error: { code: string; message: string; innerError: Record<string, string> };
}

interface EmailAddress {
  emailAddress: { name: string; address: string };
}

interface Message {
  "@odata.etag": string;
  id: string;
  subject: string;
  bodyPreview: string;
  receivedDateTime: string;
  from: EmailAddress;
  isRead: boolean;
  importance: string;
}

interface CalendarEvent {
  "@odata.etag": string;
  id: string;
  subject: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  location: { displayName: string };
  organizer: EmailAddress;
  isOnlineMeeting: boolean;
}

interface Page<T> {
  "@odata.context": string;
  "@odata.nextLink"?: string;
  value: T[];
}

let emulator: RunningEmulator;
/** Graph access tokens from real sign-ins, in the order a user would grant the scopes. */
const tokens = { meganUserRead: "", meganMail: "", adeleMail: "" };

beforeAll(async () => {
  emulator = await startEmulator();
  // First: before Megan consents to Mail.Read, her Graph tokens carry User.Read only.
  const basic = await signInWithoutBrowser(emulator, { user: MEGAN, scopes: ["User.Read"] });
  tokens.meganUserRead = basic.accessToken;
  const [meganMail, adeleMail] = await Promise.all([
    signInWithoutBrowser(emulator, { user: MEGAN, scopes: ["Mail.Read"] }),
    signInWithoutBrowser(emulator, { user: ADELE, scopes: ["Mail.Read"] }),
  ]);
  tokens.meganMail = meganMail.accessToken;
  tokens.adeleMail = adeleMail.accessToken;
});

afterAll(async () => {
  await emulator?.stop();
});

function graph(path: string, token: string | undefined): Promise<RawResponse> {
  const url = path.startsWith("https://") ? path : `${emulator.urls.https}${path}`;
  return request(url, {
    ca: emulator.caCertPem,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

function expectGraphError(res: RawResponse, status: number, code: string): GraphErrorBody["error"] {
  expect(res.status).toBe(status);
  const { error } = res.json<GraphErrorBody>();
  expect(error.code).toBe(code);
  expect(error.innerError["request-id"]).toBe(res.headers["request-id"]);
  return error;
}

async function allPages<T>(first: string, token: string): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let next: string | undefined = first;
  while (next !== undefined) {
    const res = await graph(next, token);
    expect(res.status).toBe(200);
    const page: Page<T> = res.json<Page<T>>();
    pages.push(page);
    next = page["@odata.nextLink"];
  }
  return pages;
}

function scopesOf(token: string): string[] {
  return String(decodeJwt(token).scp).split(" ");
}

describe("incremental consent", () => {
  it("answers 403 ErrorAccessDenied to a token with User.Read only", async () => {
    expect(scopesOf(tokens.meganUserRead)).toContain("User.Read");
    expect(scopesOf(tokens.meganUserRead)).not.toContain("Mail.Read");
    const res = await graph("/v1.0/me/messages", tokens.meganUserRead);
    const error = expectGraphError(res, 403, "ErrorAccessDenied");
    expect(error.message).toBe(ACCESS_DENIED);
    const events = await graph("/v1.0/me/events", tokens.meganUserRead);
    expect(expectGraphError(events, 403, "ErrorAccessDenied").message).toBe(ACCESS_DENIED);
  });

  it("asks for consent to Mail.Read, then issues tokens with User.Read and Mail.Read", async () => {
    await expect(
      signInWithoutBrowser(emulator, {
        user: "lee@contoso.onmicrosoft.com",
        scopes: ["Mail.Read"],
        consent: false,
      }),
    ).rejects.toThrow("the emulator asks for consent");
    expect(scopesOf(tokens.meganMail)).toEqual(expect.arrayContaining(["User.Read", "Mail.Read"]));
    expect((await graph("/v1.0/me/messages", tokens.meganMail)).status).toBe(200);
  });
});

describe("messages", () => {
  it("pages Megan's 12 messages 10 at a time, newest first", async () => {
    const pages = await allPages<Message>("/v1.0/me/messages", tokens.meganMail);
    expect(pages.map((page) => page.value.length)).toEqual([10, 2]);
    expect(pages[0]?.["@odata.context"]).toBe(
      `${emulator.urls.https}/v1.0/$metadata#users('${defaults.users.admin}')/messages`,
    );
    expect(pages[0]?.["@odata.nextLink"]).toMatch(
      new RegExp(`^${emulator.urls.https}/v1\\.0/me/messages\\?\\$skiptoken=`),
    );
    const messages = pages.flatMap((page) => page.value);
    expect(new Set(messages.map((m) => m.id)).size).toBe(12);
    const times = messages.map((m) => m.receivedDateTime);
    expect(times).toEqual([...times].sort().reverse());
    expect(new Set(times).size).toBe(12);
    for (const message of messages) {
      expect(message).toMatchObject({
        "@odata.etag": expect.stringMatching(/^W\/".+"$/),
        id: expect.stringMatching(/^AAMkA[\w-]+=$/),
        subject: expect.any(String),
        bodyPreview: expect.any(String),
        receivedDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        from: {
          emailAddress: {
            name: expect.any(String),
            address: expect.stringMatching(/@contoso\.onmicrosoft\.com$/),
          },
        },
        isRead: expect.any(Boolean),
        importance: expect.stringMatching(/^(low|normal|high)$/),
      });
    }
    expect(messages.slice(0, 3).map((m) => m.isRead)).toEqual([false, false, false]);
  });

  it("answers the same mailbox on every call, in the order $orderby=receivedDateTime desc gives", async () => {
    const first = (await graph("/v1.0/me/messages?$top=12", tokens.meganMail)).json<
      Page<Message>
    >();
    const again = (await graph("/v1.0/me/messages?$top=12", tokens.meganMail)).json<
      Page<Message>
    >();
    expect(again).toEqual(first);
    const desc = await graph(
      "/v1.0/me/messages?$top=12&$orderby=receivedDateTime%20desc",
      tokens.meganMail,
    );
    expect(desc.json<Page<Message>>().value).toEqual(first.value);
    const asc = await graph(
      "/v1.0/me/messages?$top=12&$orderby=receivedDateTime",
      tokens.meganMail,
    );
    expect(asc.json<Page<Message>>().value).toEqual([...first.value].reverse());
  });

  it("gives every user a different mailbox", async () => {
    const megan = (await graph("/v1.0/me/messages?$top=12", tokens.meganMail)).json<
      Page<Message>
    >();
    const adele = (await graph("/v1.0/me/messages?$top=12", tokens.adeleMail)).json<
      Page<Message>
    >();
    expect(adele.value).toHaveLength(12);
    const meganIds = new Set(megan.value.map((m) => m.id));
    expect(adele.value.filter((m) => meganIds.has(m.id))).toEqual([]);
    expect(adele.value.map((m) => m.subject)).not.toEqual(megan.value.map((m) => m.subject));
  });

  it("honours $top in every page and refuses one outside 1..1000", async () => {
    const pages = await allPages<Message>("/v1.0/me/messages?$top=5", tokens.meganMail);
    expect(pages.map((page) => page.value.length)).toEqual([5, 5, 2]);
    expect(pages[0]?.["@odata.nextLink"]).toContain("$top=5");
    const all = await graph("/v1.0/me/messages?$top=1000", tokens.meganMail);
    expect(all.json<Page<Message>>()["@odata.nextLink"]).toBeUndefined();
    for (const top of ["0", "1001", "ten"]) {
      const res = await graph(`/v1.0/me/messages?$top=${top}`, tokens.meganMail);
      expectGraphError(res, 400, "Request_BadRequest");
    }
  });

  it("returns only the $select-ed properties, with the id and etag Graph always sends", async () => {
    const res = await graph("/v1.0/me/messages?$select=subject,from&$top=3", tokens.meganMail);
    expect(res.status).toBe(200);
    const page = res.json<Page<Record<string, unknown>>>();
    expect(page["@odata.context"]).toBe(
      `${emulator.urls.https}/v1.0/$metadata#users('${defaults.users.admin}')/messages(subject,from)`,
    );
    for (const message of page.value) {
      expect(Object.keys(message)).toEqual(["@odata.etag", "id", "subject", "from"]);
    }
    const unknown = await graph("/v1.0/me/messages?$select=subject,mood", tokens.meganMail);
    expect(expectGraphError(unknown, 400, "BadRequest").message).toContain("'mood'");
  });

  it("serves one message by id, and 404 ErrorItemNotFound for an id not in the mailbox", async () => {
    const list = (await graph("/v1.0/me/messages", tokens.meganMail)).json<Page<Message>>();
    const wanted = list.value[4];
    if (!wanted) throw new Error("Megan's mailbox is empty");
    const res = await graph(
      `/v1.0/me/messages/${encodeURIComponent(wanted.id)}?$select=subject`,
      tokens.meganMail,
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      "@odata.context": `${emulator.urls.https}/v1.0/$metadata#users('${defaults.users.admin}')/messages(subject)/$entity`,
      "@odata.etag": wanted["@odata.etag"],
      id: wanted.id,
      subject: wanted.subject,
    });
    const full = await graph(`/v1.0/users/${MEGAN}/messages/${wanted.id}`, tokens.meganMail);
    expect(full.json()).toMatchObject(wanted);

    const unknown = await graph("/v1.0/me/messages/AAMkAnotThere=", tokens.meganMail);
    const error = expectGraphError(unknown, 404, "ErrorItemNotFound");
    expect(error.message).toBe("The specified object was not found in the store.");
    const adeles = (await graph("/v1.0/me/messages", tokens.adeleMail)).json<Page<Message>>();
    const notMegans = await graph(`/v1.0/me/messages/${adeles.value[0]?.id}`, tokens.meganMail);
    expectGraphError(notMegans, 404, "ErrorItemNotFound");
  });

  it("refuses another user's mail with 403, and says that delegated tokens cannot read it", async () => {
    for (const id of [ADELE, defaults.users.overage, "nobody@contoso.onmicrosoft.com"]) {
      const res = await graph(`/v1.0/users/${id}/messages`, tokens.meganMail);
      const error = expectGraphError(res, 403, "ErrorAccessDenied");
      expect(error.message).toContain(ACCESS_DENIED);
      expect(error.message).toContain("shared-mailbox");
    }
  });

  it("refuses what it does not implement with 400, rather than ignoring it", async () => {
    for (const query of ["$filter=isRead%20eq%20false", "$orderby=subject", "$skip=10"]) {
      const res = await graph(`/v1.0/me/messages?${query}`, tokens.meganMail);
      expect(expectGraphError(res, 400, "Request_UnsupportedQuery").message).toContain("emulator");
    }
  });
});

describe("events", () => {
  it("need Calendars.Read, which a later sign-in adds to Mail.Read", async () => {
    const denied = await graph("/v1.0/me/events", tokens.meganMail);
    expect(expectGraphError(denied, 403, "ErrorAccessDenied").message).toBe(ACCESS_DENIED);

    const calendar = await signInWithoutBrowser(emulator, {
      user: MEGAN,
      scopes: ["Calendars.Read"],
    });
    expect(scopesOf(calendar.accessToken)).toEqual(
      expect.arrayContaining(["User.Read", "Mail.Read", "Calendars.Read"]),
    );
    const pages = await allPages<CalendarEvent>("/v1.0/me/events", calendar.accessToken);
    expect(pages.map((page) => page.value.length)).toEqual([10, 2]);
    expect(pages[0]?.["@odata.context"]).toBe(
      `${emulator.urls.https}/v1.0/$metadata#users('${defaults.users.admin}')/events`,
    );
    const events = pages.flatMap((page) => page.value);
    const starts = events.map((event) => event.start.dateTime);
    expect(starts).toEqual([...starts].sort());
    for (const event of events) {
      expect(event).toMatchObject({
        id: expect.stringMatching(/^AAMkAGI[\w-]+=$/),
        subject: expect.any(String),
        start: {
          dateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.0000000$/),
          timeZone: "UTC",
        },
        end: { timeZone: "UTC" },
        location: { displayName: expect.any(String) },
        organizer: { emailAddress: { name: expect.any(String), address: expect.any(String) } },
        isOnlineMeeting: expect.any(Boolean),
      });
      expect(event.end.dateTime > event.start.dateTime).toBe(true);
    }

    const again = await allPages<CalendarEvent>("/v1.0/me/events", calendar.accessToken);
    expect(again.flatMap((page) => page.value)).toEqual(events);

    const wanted = events[11];
    const one = await graph(`/v1.0/me/events/${wanted?.id}`, calendar.accessToken);
    expect(one.json()).toMatchObject({ ...wanted });
    expectGraphError(
      await graph("/v1.0/me/events/AAMkAGInotThere=", calendar.accessToken),
      404,
      "ErrorItemNotFound",
    );
    const others = await graph(`/v1.0/users/${ADELE}/events`, calendar.accessToken);
    expectGraphError(others, 403, "ErrorAccessDenied");
  });

  it("refuses a $skiptoken issued for the mail list", async () => {
    const calendar = await signInWithoutBrowser(emulator, {
      user: MEGAN,
      scopes: ["Calendars.Read"],
    });
    const mail = (await graph("/v1.0/me/messages", calendar.accessToken)).json<Page<Message>>();
    const token = new URL(mail["@odata.nextLink"] ?? "").searchParams.get("$skiptoken");
    const res = await graph(`/v1.0/me/events?$skiptoken=${token}`, calendar.accessToken);
    expectGraphError(res, 400, "Request_BadRequest");
  });
});

describe("transport and faults", () => {
  it("serves mail over https only", async () => {
    const res = await request(`${emulator.urls.http}/v1.0/me/messages`, {
      headers: { authorization: `Bearer ${tokens.meganMail}` },
    });
    expect(res.status).toBe(400);
    expect(res.json<{ error_description: string }>().error_description).toContain("https only");
  });

  it("counts mail and calendar requests as the graph endpoint", async () => {
    emulator.control.resetCounts();
    await graph("/v1.0/me/messages", tokens.meganMail);
    await graph("/v1.0/me/events", tokens.meganMail);
    await graph("/v1.0/me/messages/AAMkAnotThere=", tokens.meganMail);
    expect(emulator.control.counts().graph).toBe(3);
  });

  it("answers a queued 429 with its Retry-After, then serves the next request", async () => {
    const throttled = {
      error: { code: "TooManyRequests", message: "Too many requests. Retry after 7 seconds." },
    };
    emulator.control.queueFault("graph", {
      kind: "status",
      status: 429,
      headers: { "retry-after": "7" },
      body: throttled,
    });
    try {
      const res = await graph("/v1.0/me/messages", tokens.meganMail);
      expect(res.status).toBe(429);
      expect(res.headers["retry-after"]).toBe("7");
      expect(res.json()).toEqual(throttled);
      expect((await graph("/v1.0/me/messages", tokens.meganMail)).status).toBe(200);
    } finally {
      emulator.control.clearFaults();
    }
  });

  it("answers a queued continuous-access-evaluation challenge with its header intact", async () => {
    const claims = Buffer.from(
      JSON.stringify({ access_token: { nbf: { essential: true, value: "1604106651" } } }),
    ).toString("base64");
    const challenge = `Bearer realm="", authorization_uri="${emulator.urls.http}/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`;
    const body = {
      error: {
        code: "InvalidAuthenticationToken",
        message:
          "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies",
      },
    };
    emulator.control.queueFault("graph", {
      kind: "status",
      status: 401,
      headers: { "www-authenticate": challenge },
      body,
    });
    try {
      const res = await graph("/v1.0/me/events", tokens.meganMail);
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe(challenge);
      expect(res.json()).toEqual(body);
      const sent = /claims="([^"]+)"/.exec(String(res.headers["www-authenticate"]))?.[1] ?? "";
      expect(JSON.parse(Buffer.from(sent, "base64").toString("utf8"))).toEqual({
        access_token: { nbf: { essential: true, value: "1604106651" } },
      });
    } finally {
      emulator.control.clearFaults();
    }
  });
});
