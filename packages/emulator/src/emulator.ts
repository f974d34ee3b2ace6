import { mkdtemp, rm } from "node:fs/promises";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Clock } from "./clock.js";
import { defaultDirectory } from "./config/default-directory.js";
import { parseDirectory } from "./config/load.js";
import type { DirectoryConfig, DirectoryInput } from "./config/schema.js";
import type { EmulatorContext, EmulatorUrls } from "./context.js";
import { Control } from "./control/control.js";
import { FaultQueue, RequestCounts } from "./control/faults.js";
import { registerControlRoutes } from "./control/routes.js";
import { Directory } from "./directory.js";
import { registerGraphRoutes } from "./graph/routes.js";
import { BadRequestBody, Exchange } from "./http/exchange.js";
import { loopbackOnly } from "./http/host.js";
import { type LoopbackListener, listenOnLoopback } from "./http/listen.js";
import { Router } from "./http/router.js";
import { opaque } from "./ids.js";
import { loadCredentials } from "./pki/data-folder.js";
import { ciamHostOf, ciamTenantOf, serveAs } from "./protocol/ciam-hosts.js";
import { CLOUD_SHAPES, type CloudShape, type EmulatedCloud } from "./protocol/clouds.js";
import { faultError, sendTokenError } from "./protocol/errors.js";
import { registerProtocolRoutes } from "./protocol/routes.js";
import { ProtocolState } from "./protocol/state.js";
import { DEFAULT_LIFETIMES, type Lifetimes } from "./settings.js";

export interface EmulatorOptions {
  /** Port for browser-facing pages over http; 0 picks a free one. Default 0. */
  readonly httpPort?: number;
  /** Port for discovery, token, keys and Graph over https; 0 picks a free one. Default 0. */
  readonly httpsPort?: number;
  /** The directory (validated); default: the built-in contoso/fabrikam directory. */
  readonly directory?: DirectoryInput | DirectoryConfig;
  /**
   * Where the certificate authority, TLS certificate and signing keys are kept. Default: a new
   * temporary folder, removed at stop (a CLI run defaults to `./.entrance/emulator` instead).
   */
  readonly dataDir?: string;
  /** Lifetimes of codes and tokens, in seconds. */
  readonly lifetimes?: Partial<Lifetimes>;
  /** Secret for the HTTP control interface; default: a random one, see `controlKey`. */
  readonly controlKey?: string;
  /**
   * Send browsers to the pages over https (the https port, with the certificate of the local
   * certificate authority) rather than http, for clients that refuse any http endpoint, as
   * certified OpenID Connect libraries do. The pages still answer over http too. Default false:
   * a person's browser would warn about the local certificate.
   */
  readonly httpsPages?: boolean;
  /**
   * The Microsoft cloud whose discovery document the emulator imitates (`global`, `usgov`,
   * `china`; see protocol/clouds.ts). Default: none, a `localhost` instance.
   */
  readonly cloud?: EmulatedCloud;
}

/** A running emulator. */
export interface RunningEmulator {
  readonly urls: EmulatorUrls;
  /** Path of the PEM certificate of the local certificate authority that signed the https cert. */
  readonly caCertPath: string;
  /** The certificate authority, PEM, for clients that take it as a value. */
  readonly caCertPem: string;
  /** Bearer secret of the HTTP control interface (`/_emulator/control/...`). */
  readonly controlKey: string;
  /** Drive the emulator from tests: directory changes, revocation, keys, clock, faults, counts. */
  readonly control: Control;
  /** The directory now being served. */
  readonly directory: Directory;
  /** The authority URL for a tenant (GUID, domain, or common/organizations/consumers). */
  authority(tenant: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the emulator on loopback.
 *
 * @example
 * const emulator = await startEmulator();
 * const authority = emulator.authority("contoso.onmicrosoft.com");
 * // ... point MSAL at it with knownAuthorities: [new URL(authority).host]
 * await emulator.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const directory = new Directory(
    parseDirectory(options.directory ?? defaultDirectory, "the emulator's directory option"),
  );
  const temporary = options.dataDir
    ? undefined
    : await mkdtemp(join(tmpdir(), "entrance-emulator-"));
  const dataDir = options.dataDir ?? (temporary as string);
  const credentials = await loadCredentials(dataDir);
  const clock = new Clock();
  const faults = new FaultQueue();
  const counts = new RequestCounts();
  const urls = { http: "", https: "", pages: "" };
  const ctx: EmulatorContext = {
    urls,
    directory,
    clock,
    keys: credentials.signingKeys,
    policyKeys: credentials.policyKeys,
    state: undefined as unknown as ProtocolState,
    counts,
    faults,
    lifetimes: { ...DEFAULT_LIFETIMES, ...options.lifetimes },
    rotateSigningKeys: async (rotation) => {
      const key = await credentials.signingKeys.rotate(rotation);
      await credentials.saveSigningKeys();
      // A custom policy's key rolls over with the tenant's, kept as long after it.
      await credentials.policyKeys.rotate(rotation);
      return key;
    },
    cloud: options.cloud === undefined ? undefined : cloudShape(options.cloud),
  };
  (ctx as { state: ProtocolState }).state = new ProtocolState(clock, () => ctx.lifetimes);
  const controlKey = options.controlKey ?? opaque();
  const control = new Control(ctx);

  const router = new Router(faults, counts, (exchange, fault) =>
    sendTokenError(ctx, exchange, faultError(fault)),
  );
  registerProtocolRoutes(router, ctx);
  registerGraphRoutes(router, ctx);
  registerControlRoutes(router, control, controlKey);

  // Every request of every listener (pages, APIs, Graph, control) enters here, so the Host check
  // sits here rather than on routes.
  // The https listener also answers as an External ID tenant's ciamlogin.com host, when a client
  // routes that name here (protocol/ciam-hosts.ts); the http listener never does.
  const ownsHost = (hostname: string) => ciamTenantOf(directory, hostname) !== undefined;
  const handler = (secure: boolean) =>
    loopbackOnly(
      (req: IncomingMessage, res: ServerResponse) => {
        const origin = secure ? urls.https : urls.http;
        const ciamHost = secure ? ciamHostOf(directory, req.headers.host) : undefined;
        serveAs(ciamHost, () => void serve(router, new Exchange(req, res, origin, secure)));
      },
      secure ? ownsHost : undefined,
    );
  const listeners: LoopbackListener[] = [];
  try {
    const http = await listenOnLoopback(
      () => createHttpServer(handler(false)),
      options.httpPort ?? 0,
    );
    listeners.push(http);
    const https = await listenOnLoopback(
      () =>
        createHttpsServer(
          { cert: credentials.tls.certPem, key: credentials.tls.keyPem },
          handler(true),
        ),
      options.httpsPort ?? 0,
    );
    listeners.push(https);
    urls.http = `http://localhost:${http.port}`;
    urls.https = `https://localhost:${https.port}`;
    urls.pages = options.httpsPages ? urls.https : urls.http;
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    if (temporary) await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  Object.freeze(urls);

  return {
    urls,
    caCertPath: credentials.caCertPath,
    caCertPem: credentials.ca.certPem,
    controlKey,
    control,
    directory,
    authority: (tenant) => `${urls.https}/${tenant}`,
    stop: async () => {
      await Promise.all(listeners.map((l) => l.close()));
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}

function cloudShape(cloud: EmulatedCloud): CloudShape {
  const shape = CLOUD_SHAPES[cloud];
  if (!shape) throw new TypeError(`cloud must be one of ${Object.keys(CLOUD_SHAPES).join(", ")}`);
  return shape;
}

async function serve(router: Router, exchange: Exchange): Promise<void> {
  try {
    if (!(await router.dispatch(exchange))) {
      exchange.sendJson(404, {
        error: "not_found",
        error_description: `${exchange.url.pathname} is not an emulator endpoint`,
      });
    }
  } catch (error) {
    if (error instanceof BadRequestBody) {
      exchange.sendJson(error.status, {
        error: "invalid_request",
        error_description: error.message,
      });
      return;
    }
    console.error(
      "entrance-emulator: unexpected error for %s %s",
      exchange.method,
      exchange.url.pathname,
      error,
    );
    exchange.sendJson(500, {
      error: "server_error",
      error_description: "The emulator failed; see its log.",
    });
  }
}
