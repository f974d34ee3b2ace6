import type { Server } from "node:http";

/** MSAL does not retry a socket the server closed, so idle connections are kept for long. */
const KEEP_ALIVE_MS = 5 * 60_000;

/** Servers on one port of both loopback addresses, so `localhost` works over IPv4 and IPv6. */
export interface LoopbackListener {
  readonly port: number;
  /** The addresses actually listened on (IPv6 is skipped where the machine has no ::1). */
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and ::1 with the same port. With port 0 a free port is chosen on IPv4 and
 * taken on IPv6 too; if IPv6 has it taken already, another port is tried.
 */
export async function listenOnLoopback(
  create: () => Server,
  port: number,
): Promise<LoopbackListener> {
  for (let attempt = 0; ; attempt++) {
    const v4 = configure(create());
    const chosen = await listen(v4, port, "127.0.0.1");
    const v6 = configure(create());
    try {
      await listen(v6, chosen, "::1");
      return listener(chosen, [v4, v6], ["127.0.0.1", "::1"]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT") {
        return listener(chosen, [v4], ["127.0.0.1"]);
      }
      await closeServer(v4);
      if (code !== "EADDRINUSE" || port !== 0 || attempt >= 10) throw error;
    }
  }
}

function configure(server: Server): Server {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  return server;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function listener(port: number, servers: Server[], addresses: string[]): LoopbackListener {
  return {
    port,
    addresses,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}
