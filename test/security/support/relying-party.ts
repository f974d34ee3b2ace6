/**
 * A relying party under attack: the Express adapter with a fresh SQLite store (in memory, real
 * SQLite) for each case, against one emulator that plays the hostile identity provider. Each case
 * gets a new app, so that nothing one case left (cached keys, a cooldown) changes another.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EntranceStore } from "@entrance/core";
import { defaults, type RunningEmulator } from "@entrance/emulator";
import { pickAccount, request } from "@entrance/emulator/testing";
import {
  type ExpressEntranceOptions,
  entrance,
  trustCertificateAuthority,
} from "@entrance/express";
import { openSqliteStore } from "@entrance/store-sql";
import express from "express";

/** An app signed in to by the browser that `attempt` plays. */
export interface RelyingParty {
  readonly base: string;
  readonly store: EntranceStore;
  /**
   * One browser's sign-in: `/auth/login`, the account picked on the emulator's page (unless the
   * emulator answers the authorize request at once, as an error fault does), then the callback,
   * asking for `accept`. Returns the callback's response.
   */
  attempt(user: string, accept?: "json" | "html"): Promise<Response>;
  /** What the store holds about `users` (upns): users, sessions, token partitions, audit. */
  stored(...users: string[]): Promise<Stored>;
  close(): Promise<void>;
}

export interface Stored {
  readonly users: number;
  readonly sessions: number;
  readonly tokenPartitions: number;
  readonly pendingSignIns: number;
  readonly audit: readonly { type: string; detail: string }[];
}

/** Starts an Express app with `entrance()` for the emulator's web app, on a free port. */
export async function relyingParty(
  emulator: RunningEmulator,
  options: Partial<ExpressEntranceOptions> = {},
): Promise<RelyingParty> {
  const store = await openSqliteStore({ filename: ":memory:" });
  const app = express();
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const registered = emulator.directory.app(defaults.webApp)?.value;
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    clientId: defaults.webApp,
    displayName: "Security suite app",
    redirectUris: [`${base}/auth/callback`, `${base}/`],
  });
  app.use(
    entrance({
      tenantId: "organizations",
      allowedTenants: [defaults.contoso],
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      authorityHost: emulator.urls.https,
      graphBaseUrl: emulator.urls.https,
      baseUrl: base,
      secrets: ["security-suite-secret-security-suite-secret"],
      trust: trustCertificateAuthority(emulator.caCertPem),
      store,
      env: {},
      logger: { warn: () => {}, error: () => {} },
      ...options,
    }),
  );
  app.get("/me", (req, res) => {
    res.json({ user: req.entrance.user?.username ?? null });
  });
  return {
    base,
    store,
    async attempt(user, accept = "json") {
      const login = await fetch(`${base}/auth/login?returnTo=/me`, { redirect: "manual" });
      const binding = cookiesOf(login);
      const authorize = login.headers.get("location") ?? "";
      const direct = await request(authorize);
      const location =
        direct.status === 302
          ? String(direct.headers.location)
          : (await pickAccount(emulator, authorize, { user })).location;
      return fetch(location, {
        redirect: "manual",
        headers: {
          cookie: binding,
          accept: accept === "json" ? "application/json" : "text/html",
        },
      });
    },
    async stored(...upns) {
      let sessions = 0;
      let tokenPartitions = 0;
      for (const upn of upns) {
        const found = emulator.directory.user(upn);
        if (!found) throw new Error(`no user ${upn}`);
        const { id } = found.value;
        sessions += (await store.sessions.listByUser(found.tenant.id, id)).length;
        if (await store.tokens.get(`${id}.${found.tenant.id}`)) tokenPartitions++;
      }
      const { total } = await store.users.list({ limit: 1, offset: 0 });
      const { events } = await store.audit.list({ limit: 50, offset: 0 });
      return {
        users: total,
        sessions,
        tokenPartitions,
        pendingSignIns: await store.transactions.countPending(),
        audit: events.map((e) => ({ type: e.type, detail: e.detail })),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close?.();
    },
  };
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
