import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/** A running host proxy: an HTTP CONNECT proxy on loopback for the names the emulator owns. */
export interface HostProxy {
  /** `http://127.0.0.1:{port}`, for a client's proxy setting (Chromium's `--proxy-server`). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What the proxy tunnels: names the emulator owns, to its https port on loopback. */
export interface HostProxyOptions {
  /** Whether the emulator answers for `hostname` (e.g. an external tenant's ciamlogin.com host). */
  readonly owns: (hostname: string) => boolean;
  /** The emulator's https port on 127.0.0.1. */
  readonly httpsPort: number;
  /** The proxy's own port on 127.0.0.1; default 0, a free one. */
  readonly port?: number;
}

/** `host:443`, the one authority form a tunnel to an https sign-in host takes. */
const AUTHORITY = /^([a-z0-9.-]+):443$/i;

/**
 * An HTTP CONNECT proxy (RFC 9110 §9.3.6) on 127.0.0.1 that tunnels `CONNECT {name}:443` to the
 * emulator's https port when the emulator owns `{name}`, and refuses everything else: other names
 * (403, so a client never reaches the real service by mistake), other ports, and plain proxied
 * requests (405). The client speaks TLS to the real name through the tunnel, so its SNI, the
 * certificate check and the `Host` header are those of the real host.
 */
export async function startHostProxy(options: HostProxyOptions): Promise<HostProxy> {
  const sockets = new Set<Socket | Duplex>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const body = "The emulator's host proxy only tunnels CONNECT to the names the emulator owns.\n";
    res.writeHead(405, {
      allow: "CONNECT",
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(Buffer.byteLength(body)),
      connection: "close",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    const match = AUTHORITY.exec(req.url ?? "");
    const name = match?.[1]?.toLowerCase();
    if (!name || !options.owns(name)) {
      refuse(client, `the emulator does not answer for ${JSON.stringify(req.url ?? "")}`);
      return;
    }
    const upstream = connect(options.httpsPort, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    let established = false;
    upstream.once("connect", () => {
      established = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => {
      if (established) client.destroy();
      else refuse(client, "the emulator's https port did not answer", 502);
    });
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port ?? 0, host: "127.0.0.1" }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function refuse(client: Duplex, reason: string, status: 403 | 502 = 403): void {
  const text = status === 403 ? "Forbidden" : "Bad Gateway";
  const body = `${reason}\n`;
  client.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
