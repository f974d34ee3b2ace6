import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  createNetworkClient,
  type EntranceConfig,
  type TrustedAuthority,
  trustCertificateAuthority,
} from "@entrance/core";
import { readEnvironment } from "../environment.js";
import { type Finding, finding } from "../findings.js";
import { checkAuthority } from "./authority.js";
import { type ClockReading, checkClock, dateHeaderReading } from "./clock.js";
import { loadConfiguration } from "./configuration.js";
import { checkCredential } from "./credential.js";
import { probeSignIn } from "./probe.js";
import { checkRedirectUri } from "./redirect-uri.js";
import { checkSecrets } from "./secret.js";
import { checkDatabase, checkRedis } from "./stores.js";
import { checkToken } from "./token.js";

/** Options of {@link doctor}. */
export interface DoctorOptions {
  /** The app's folder: where `.env`, `.entrance/` and its node_modules are. */
  readonly cwd: string;
  /** The process environment; `.env` fills what it does not set. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Another env file than `.env` (relative to `cwd`). */
  readonly envFile?: string;
  /** A PEM file of a certificate authority to trust for the identity provider (the emulator's). */
  readonly ca?: string;
  /** Ask the running app, at ENTRANCE_BASE_URL, which redirect URI it sends (`--probe`). */
  readonly probe?: boolean;
  /** Skip the client-credentials request (for a pipeline that must not call Entra with the secret). */
  readonly skipToken?: boolean;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Where `npx entrance-emulator` keeps its certificate authority, relative to where it runs. */
const EMULATOR_CA = join(".entrance", "emulator", "ca.pem");

/**
 * Reads the app's configuration as the app would (the environment over `.env`, through
 * @entrance/core's `loadConfig`) and checks it against reality: the secret, the redirect URI,
 * the credential, the authority's metadata and issuer, the clock, a token request, and each
 * store. Never throws for what it finds: every problem is a finding.
 */
export async function doctor(options: DoctorOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  let environment: ReturnType<typeof readEnvironment>;
  try {
    environment = readEnvironment(options.cwd, options.env, options.envFile);
  } catch (error) {
    return [
      finding(
        "environment",
        "env_file_unreadable",
        "error",
        (error as Error).message,
        "name an env file that exists, or leave --env-file out",
      ),
    ];
  }
  const { env } = environment;
  findings.push(
    environment.file
      ? finding(
          "environment",
          "env_file",
          "info",
          `read ${environment.fromFile} variable(s) from ${environment.file} (the process environment wins where both set one).`,
        )
      : finding(
          "environment",
          "env_file",
          "info",
          "no .env file: the process environment alone is the configuration.",
        ),
  );
  findings.push(...checkSecrets(env.ENTRANCE_SECRET));
  const loaded = loadConfiguration(env);
  findings.push(...loaded.findings);
  const config = loaded.config;
  if (!config) return findings;

  findings.push(...checkRedirectUri(config, env));
  const credential = checkCredential(config);
  findings.push(...credential);

  let trust: TrustedAuthority | undefined;
  try {
    trust = trustFor(config, options);
  } catch (error) {
    findings.push(
      finding(
        "authority",
        "ca_unreadable",
        "error",
        (error as Error).message,
        "give --ca a PEM file of the certificate authority",
      ),
    );
    return findings;
  }
  if (trust && !options.ca) {
    findings.push(
      finding(
        "authority",
        "emulator_ca",
        "info",
        `the authority is local: trusting the emulator's certificate authority in ${EMULATOR_CA}.`,
      ),
    );
  }
  const network = createNetworkClient({ trust, timeoutMs: 10_000, retries: 0 });
  const authority = await checkAuthority(config, network);
  findings.push(...authority.findings);
  if (options.probe) findings.push(...(await probeSignIn(config, authority.authorizationEndpoint)));

  const readings: ClockReading[] = [];
  if (authority.date) {
    const reading = dateHeaderReading(authority.date.header, authority.date.receivedAt);
    if (reading) readings.push(reading);
  }
  const credentialOk = credential.every((f) => f.severity !== "error");
  if (options.skipToken) {
    findings.push(
      finding(
        "token",
        "token_check_skipped",
        "info",
        "the client-credentials request was skipped (--skip-token).",
      ),
    );
  } else if (config.b2c) {
    // B2C issues no app-only Microsoft Graph token at a policy, so there is nothing to ask that
    // would prove the credential without a person signing in: say so rather than fail.
    findings.push(
      finding(
        "token",
        "b2c_credential_unverified",
        "info",
        `Azure AD B2C proves the app's ${config.clientSecret !== undefined ? "client secret" : "certificate"} only when a sign-in redeems its code, so doctor cannot try it; the checks above read the configuration and each policy's metadata.`,
        "sign in once through the app: a wrong or expired client secret fails at the callback (AADB2C90081 in the log); then create a new one under the app registration's Certificates & secrets",
      ),
    );
  } else if (authority.usable && credentialOk) {
    const token = await checkToken(config, env, trust, authority.tenantGuid);
    findings.push(...token.findings);
    if (token.clock) readings.push(token.clock);
  }
  if (authority.date || readings.length > 0)
    findings.push(...checkClock(readings, config.clockSkew));

  const [database, redis] = await Promise.all([
    checkDatabase(config, options.cwd),
    checkRedis(config, options.cwd),
  ]);
  findings.push(...database, ...redis);
  return findings;
}

/** The certificate authority to trust: --ca, or the emulator's for a local authority. */
function trustFor(config: EntranceConfig, options: DoctorOptions): TrustedAuthority | undefined {
  if (options.ca) {
    const path = resolve(options.cwd, options.ca);
    let pem: string;
    try {
      pem = readFileSync(path, "utf8");
    } catch {
      throw new Error(`--ca: ${path} cannot be read`);
    }
    return trustCertificateAuthority(pem);
  }
  const local = LOOPBACK.has(new URL(config.authorityHost).hostname);
  const emulatorCa = join(options.cwd, EMULATOR_CA);
  if (local && existsSync(emulatorCa))
    return trustCertificateAuthority(readFileSync(emulatorCa, "utf8"));
  return undefined;
}
