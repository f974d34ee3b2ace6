import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.js";
import { signInWithoutBrowser } from "../src/testing/index.js";
import { authorizeUrl } from "./support/flow.js";

// DNS rebinding: a page on an attacker's domain that resolves to 127.0.0.1 reaches the emulator
// from a victim's browser with the attacker's name as Host. These requests are what it would send.

let emulator: RunningEmulator;
let graphToken: string;
let listensOnIpv6: boolean;
beforeAll(async () => {
  emulator = await startEmulator();
  graphToken = (
    await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: ["User.Read"],
    })
  ).accessToken;
  listensOnIpv6 = await canConnect("::1", port("http"));
});
afterAll(async () => {
  await emulator?.stop();
});

/** Strings that only directory data contains: none may reach a request naming another host. */
const DIRECTORY_DATA = ["Megan", "megan@", "Adele", "contoso", "fabrikam"];

type Server = "http" | "https";

interface Target {
  readonly name: string;
  readonly server: Server;
  path(): string;
  headers(): Record<string, string>;
  /** Text the working answer contains, proving it carries directory data. */
  readonly shows: string;
}

const targets: readonly Target[] = [
  {
    name: "the sign-in page's account list",
    server: "http",
    path: () => pathOf(authorizeUrl(emulator).url),
    headers: () => ({}),
    shows: "Megan Bowen",
  },
  {
    name: "discovery",
    server: "https",
    path: () => "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
    headers: () => ({}),
    shows: "authorization_endpoint",
  },
  {
    name: "the control interface",
    server: "https",
    path: () => "/_emulator/control/directory",
    headers: () => ({ authorization: `Bearer ${emulator.controlKey}` }),
    shows: "megan@contoso.onmicrosoft.com",
  },
  {
    name: "Graph",
    server: "https",
    path: () => "/v1.0/me",
    headers: () => ({ authorization: `Bearer ${graphToken}` }),
    shows: "Megan Bowen",
  },
];

interface Answer {
  readonly status: number;
  readonly body: string;
}

function port(server: Server): number {
  return Number(new URL(emulator.urls[server]).port);
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** A request to the emulator's listener at `address` with exactly the Host header given. */
function ask(
  target: Target,
  host: string | ((port: number) => string),
  address = "127.0.0.1",
  path = target.path(),
): Promise<Answer> {
  const listenerPort = port(target.server);
  const options = {
    host: address,
    port: listenerPort,
    path,
    agent: false,
    headers: {
      ...target.headers(),
      host: typeof host === "string" ? host : host(listenerPort),
    },
    // The certificate is for localhost; without this node would check it against the Host header.
    ...(target.server === "https" ? { ca: emulator.caCertPem, servername: "localhost" } : {}),
  } as const;
  return new Promise((resolve, reject) => {
    const send = target.server === "https" ? httpsRequest : httpRequest;
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends `head` as written (for requests node's client will not make) and reads until close. */
function askRaw(server: Server, head: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: "127.0.0.1", port: port(server) };
    const socket =
      server === "https"
        ? tlsConnect({ ...options, ca: emulator.caCertPem, servername: "localhost" })
        : netConnect(options);
    const chunks: Buffer[] = [];
    socket.on(server === "https" ? "secureConnect" : "connect", () => socket.write(head));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

function canConnect(host: string, at: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port: at });
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

function expectRefused(answer: Answer) {
  expect(answer.status).toBe(421);
  for (const text of DIRECTORY_DATA) expect(answer.body).not.toContain(text);
}

const otherHosts: readonly [string, string | ((port: number) => string)][] = [
  ["evil.example:8400", "evil.example:8400"],
  ["evil.example", "evil.example"],
  ["evil.example with the emulator's port", (at) => `evil.example:${at}`],
  ["a name that starts with localhost", (at) => `localhost.evil.example:${at}`],
  ["user info before another host", (at) => `localhost:${at}@evil.example`],
];

describe("Host header guard against DNS rebinding", () => {
  describe.each(targets)("$name", (target) => {
    it.each(otherHosts)(
      "is refused with 421 and no directory data for Host %s",
      async (_, host) => {
        expectRefused(await ask(target, host));
      },
    );

    it.each([
      ["localhost:<port>", (at: number) => `localhost:${at}`],
      ["LocalHost:<port>", (at: number) => `LocalHost:${at}`],
      ["127.0.0.1:<port>", (at: number) => `127.0.0.1:${at}`],
      ["localhost without a port", () => "localhost"],
    ])("is served for Host %s", async (_, host) => {
      const answer = await ask(target, host);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(target.shows);
    });

    it("is served for Host [::1]:<port> over IPv6", async (context) => {
      if (!listensOnIpv6) context.skip();
      const answer = await ask(target, (at) => `[::1]:${at}`, "::1");
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(target.shows);
    });

    it("is refused for an absolute-form target naming another host", async () => {
      const path = `${target.server}://evil.example:${port(target.server)}${target.path()}`;
      expectRefused(await ask(target, (at) => `localhost:${at}`, "127.0.0.1", path));
    });

    it("is served for an absolute-form target naming localhost", async () => {
      const path = `${target.server}://localhost:${port(target.server)}${target.path()}`;
      const answer = await ask(target, (at) => `localhost:${at}`, "127.0.0.1", path);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(target.shows);
    });
  });

  it.each([
    ["pages (http)", "http"],
    ["APIs (https)", "https"],
  ] as const)("refuses an HTTP/1.0 request without a Host header on the %s", async (_, server) => {
    const path =
      server === "http" ? pathOf(authorizeUrl(emulator).url) : "/_emulator/control/directory";
    const answer = await askRaw(
      server,
      `GET ${path} HTTP/1.0\r\nauthorization: Bearer ${emulator.controlKey}\r\n\r\n`,
    );
    expectRefused(answer);
  });

  it("accepts the IPv6 loopback written out in full", async () => {
    const [page] = targets;
    if (!page) throw new Error("no targets");
    const answer = await ask(page, (at) => `[0:0:0:0:0:0:0:1]:${at}`);
    expect(answer.status).toBe(200);
  });
});
