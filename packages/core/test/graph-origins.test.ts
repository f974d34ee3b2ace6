import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent, createServer, type Server } from "node:https";
import type { AddressInfo, LookupFunction } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "../src/http/network.js";
import { type Entrance, trustCertificateAuthority, type UserKey } from "../src/index.js";
import { graphClient } from "../src/tokens/graph.js";
import { signedInAs } from "./support/emulated.js";

/**
 * What a server on another origin saw, one entry per request. The Authorization header is kept
 * apart so that a failing assertion never prints a token (`npm test` scans its output for them).
 */
interface Seen {
  readonly url: string;
  readonly authorized: boolean;
}

/** An https server on 127.0.0.1 (another origin than the emulator's https://localhost:port). */
interface Listening {
  readonly origin: string;
  readonly seen: Seen[];
  readonly authorizations: string[];
  readonly server: Server;
}

const MEGAN: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.admin };

let dataDir: string;
let emulator: RunningEmulator;
let foreign: Listening;
let redirecting: Listening;
let entrance: Entrance;

/** Serves with the emulator's TLS pair (issued for localhost and 127.0.0.1 by the CA Entrance trusts). */
async function listen(
  tls: { cert: string; key: string },
  answer: (url: string) => { status: number; headers: Record<string, string>; body: string },
): Promise<Listening> {
  const seen: Seen[] = [];
  const authorizations: string[] = [];
  const server = createServer(tls, (req, res) => {
    seen.push({ url: req.url ?? "", authorized: req.headers.authorization !== undefined });
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    const { status, headers, body } = answer(req.url ?? "");
    res.writeHead(status, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `https://127.0.0.1:${port}`, seen, authorizations, server };
}

function close(listening: Listening | undefined): Promise<void> {
  if (!listening) return Promise.resolve();
  listening.server.closeAllConnections();
  return new Promise((resolve) => listening.server.close(() => resolve()));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-graph-origins-"));
  emulator = await startEmulator({ dataDir });
  const tls = {
    cert: await readFile(join(dataDir, "tls.pem"), "utf8"),
    key: await readFile(join(dataDir, "tls-key.pem"), "utf8"),
  };
  const json = { "content-type": "application/json" };
  foreign = await listen(tls, () => ({
    status: 200,
    headers: json,
    body: JSON.stringify({ id: "answered-by-another-origin" }),
  }));
  redirecting = await listen(tls, (url) => ({
    status: 302,
    headers: { location: `${foreign.origin}${url}` },
    body: "",
  }));
  ({ entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com", {
    graphBaseUrl: emulator.urls.https,
  }));
});

afterAll(async () => {
  await close(foreign);
  await close(redirecting);
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const listening of [foreign, redirecting]) {
    listening.seen.length = 0;
    listening.authorizations.length = 0;
  }
});

/** Every host name is 127.0.0.1: look-alike hosts reach the test server, and no DNS query leaves. */
const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

/** A Graph client for Megan on `baseUrl`, as `entrance.graph` builds it, with extra options. */
function clientFor(
  baseUrl: string,
  allowedOrigins?: readonly string[],
  agent = createAgent(trustCertificateAuthority(emulator.caCertPem)),
) {
  return graphClient({
    baseUrl,
    scopes: ["User.Read"],
    tokens: (scopes, options) => entrance.getAccessToken(MEGAN, scopes, options),
    agent,
    ...(allowedOrigins ? { allowedOrigins } : {}),
  });
}

describe("the user's Graph token goes only to the Graph origin and allowed origins", () => {
  it("refuses an absolute URL on another origin before sending anything: graph_host_not_allowed", async () => {
    const error = await entrance
      .graph(MEGAN)
      .api(`${foreign.origin}/v1.0/me?leak=query-marker`)
      .get()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(foreign.seen.filter((request) => request.authorized)).toEqual([]);
    expect(foreign.seen).toEqual([]);
    expect(error).toMatchObject({
      name: "EntranceError",
      code: "graph_host_not_allowed",
      message: expect.stringContaining(foreign.origin),
    });
    expect((error as Error).message).toMatch(
      /graphAllowedOrigins \(ENTRANCE_GRAPH_ALLOWED_ORIGINS\)/,
    );
    expect((error as Error).message).not.toMatch(/v1\.0|query-marker/);
  });

  it("still calls a relative path and an absolute URL on the Graph origin", async () => {
    const graph = entrance.graph(MEGAN);
    await expect(graph.api("/me").get()).resolves.toMatchObject({ id: MEGAN.objectId });
    await expect(graph.api(`${emulator.urls.https}/v1.0/me`).get()).resolves.toMatchObject({
      id: MEGAN.objectId,
    });
  });

  it("sends the token to an origin allowed through allowedOrigins, compared after normalisation", async () => {
    const token = await entrance.getAccessToken(MEGAN, ["User.Read"]);
    const graph = clientFor(emulator.urls.https, [`${foreign.origin.toUpperCase()}/`]);
    await expect(graph.api(`${foreign.origin}/v1.0/me`).get()).resolves.toMatchObject({
      id: "answered-by-another-origin",
    });
    expect(foreign.seen).toEqual([{ url: "/v1.0/me", authorized: true }]);
    expect(foreign.authorizations[0] === `Bearer ${token.token}`).toBe(true);
  });

  it("refuses look-alikes of an allowed origin: another port, another name, a suffix, a prefix", async () => {
    const { port } = new URL(foreign.origin);
    const agent = new Agent({ ca: [...rootCertificates, emulator.caCertPem], lookup: loopback });
    const graph = clientFor(emulator.urls.https, [`https://localhost:${port}`], agent);
    for (const origin of [
      `https://localhost:${Number(port) + 1}`,
      `https://127.0.0.1:${port}`,
      `https://notlocalhost:${port}`,
      `https://localhost.evil:${port}`,
    ]) {
      await expect(graph.api(`${origin}/v1.0/me`).get()).rejects.toMatchObject({
        code: "graph_host_not_allowed",
      });
    }
    expect(foreign.seen).toEqual([]);
    await expect(graph.api(`https://localhost:${port}/v1.0/me`).get()).resolves.toBeTruthy();
    expect(foreign.seen).toEqual([{ url: "/v1.0/me", authorized: true }]);
  });

  it("rejects allowedOrigins entries that are not bare https origins", () => {
    for (const entry of ["http://127.0.0.1:1", "https://contoso.example/path", "not a url"]) {
      expect(() => clientFor(emulator.urls.https, [entry])).toThrow(
        expect.objectContaining({ code: "config_invalid" }),
      );
    }
  });

  it("does not follow a redirect from the Graph origin to another origin with the token", async () => {
    const graph = clientFor(redirecting.origin);
    await expect(graph.api("/me").get()).rejects.toBeTruthy();
    expect(redirecting.seen).toEqual([{ url: "/v1.0/me", authorized: true }]);
    expect(foreign.seen).toEqual([]);
  });
});
