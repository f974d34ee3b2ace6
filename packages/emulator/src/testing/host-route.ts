/**
 * Reaching the emulator at External ID's real host names (`https://contosocustomers.ciamlogin.com/…`)
 * without touching the machine's hosts file or DNS: the emulator's host proxy (an HTTP CONNECT
 * proxy on loopback that tunnels only the names the emulator owns), and a test-only route that
 * sends this process's node:https connections for `….ciamlogin.com` through it.
 *
 * The proxy is the seam because it keeps everything a client checks: the client still speaks TLS
 * to the real name (SNI, the certificate's subject alternative names, `Host`), and trusts the
 * emulator's certificate authority only where it was told to (MSAL's network client, Entrance's
 * `trustCertificateAuthority`). Neither is on by default; each is a named call.
 */
import { type Agent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Socket } from "node:net";
import type { RunningEmulator } from "../emulator.js";
import { type HostProxy, startHostProxy } from "../http/host-proxy.js";
import { CIAM_HOST_SUFFIX, ciamTenantOf } from "../protocol/ciam-hosts.js";

export type { HostProxy };

/**
 * Starts the emulator's host proxy: `CONNECT {subdomain}.ciamlogin.com:443` (or
 * `{tenant id}.ciamlogin.com:443`) of one of its External ID tenants is tunnelled to its https
 * port; any other name or port is refused. It listens on 127.0.0.1, on `port` (default 0, a free
 * one). Give its `url` to a browser (`--proxy-server={url}`), or the proxy to
 * {@link routeCiamHostsThrough} for this process. Stop it with `close()` before the emulator.
 */
export function startEmulatorHostProxy(emulator: RunningEmulator, port = 0): Promise<HostProxy> {
  return startHostProxy({
    owns: (hostname) => ciamTenantOf(emulator.directory, hostname) !== undefined,
    httpsPort: Number(new URL(emulator.urls.https).port),
    port,
  });
}

type CreateConnection = (
  options: Record<string, unknown>,
  callback: (error: Error | null, socket?: Socket) => void,
) => Socket | undefined;

/**
 * For tests (and a developer's app process): sends every node:https connection to a
 * `….ciamlogin.com` host on port 443 through `proxy` — the emulator's host proxy, started here or
 * by `entrance-emulator --host-proxy <port>` (then `{ port }`) — so that code which cannot be given a proxy —
 * Entrance's core, whose network client is its own — reaches the emulator at the real host name.
 * Every other connection is left alone; a ciamlogin.com name the emulator does not own is refused
 * by the proxy (the request fails), never sent to the real service. Returns the function that
 * takes the route away again; call it in `afterAll`.
 *
 * It changes node:https's `Agent` for the whole process (not `fetch`): never use it outside tests.
 */
export function routeCiamHostsThrough(proxy: Pick<HostProxy, "port">): () => void {
  const prototype = HttpsAgent.prototype as unknown as { createConnection: CreateConnection };
  const original = prototype.createConnection;
  if ((original as { routed?: true }).routed) {
    throw new Error("routeCiamHostsThrough: a route is already in place; undo it first");
  }
  const routed: CreateConnection = function (this: HttpsAgent, options, callback) {
    const host = String(options.host ?? "").toLowerCase();
    const port = Number(options.port ?? 443);
    if (!host.endsWith(CIAM_HOST_SUFFIX) || port !== 443) {
      return original.call(this, options, callback);
    }
    const tunnel = httpRequest({
      host: "127.0.0.1",
      port: proxy.port,
      method: "CONNECT",
      path: `${host}:443`,
      headers: { host: `${host}:443` },
      agent: false as unknown as Agent,
    });
    tunnel.once("connect", (answer, socket) => {
      if (answer.statusCode !== 200) {
        socket.destroy();
        callback(
          new Error(`the emulator's host proxy refused ${host} (HTTP ${answer.statusCode})`),
        );
        return;
      }
      callback(
        null,
        original.call(this, { ...options, socket }, () => {}),
      );
    });
    tunnel.once("error", (error) => callback(error));
    tunnel.end();
    return undefined;
  };
  Object.assign(routed, { routed: true });
  prototype.createConnection = routed;
  return () => {
    prototype.createConnection = original;
  };
}
