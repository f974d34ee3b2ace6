import { type EntranceConfig, EntranceError, loadConfig } from "@entrance/core";
import { type Finding, finding } from "../findings.js";

/** The configuration as the app reads it, or null when it would not start. */
export interface LoadedConfiguration {
  readonly config: EntranceConfig | null;
  readonly findings: Finding[];
}

/**
 * A stand-in used only when ENTRANCE_SECRET alone is wrong, so that the checks that do not need
 * it (the authority, the credential, the stores) still run; the secret check reports the secret.
 */
const STAND_IN_SECRET = "doctor-stand-in-never-used-to-encrypt-anything";

/**
 * Reads the configuration with `loadConfig` from @entrance/core, the function the app itself
 * calls at start-up, from `env`. Each problem becomes a `config_invalid` finding (the message
 * names the variable and the fix, never the value); problems with ENTRANCE_SECRET are left to
 * the secret check.
 */
export function loadConfiguration(
  env: Readonly<Record<string, string | undefined>>,
): LoadedConfiguration {
  try {
    const config = loadConfig({}, env);
    return {
      config,
      findings: [
        finding(
          "configuration",
          "config_valid",
          "ok",
          `the configuration is valid: tenant ${config.tenantId}, client ${config.clientId}, authority ${config.authorityHost}.`,
        ),
      ],
    };
  } catch (error) {
    if (!(error instanceof EntranceError) || error.code !== "config_invalid") throw error;
    const problems = error.message
      .split("\n")
      .slice(1)
      .map((line) => line.replace(/^\s*-\s*/, ""))
      .filter(Boolean);
    const others = problems.filter((p) => !/^secrets\b|ENTRANCE_SECRET/.test(p));
    const findings = others.map((problem) => {
      const { subject, fix } = split(problem);
      return finding(
        "configuration",
        "config_invalid",
        "error",
        `the app would refuse to start: ${subject} is missing or wrong.`,
        fix,
      );
    });
    if (others.length > 0) return { config: null, findings };
    return { config: loadConfig({ secrets: [STAND_IN_SECRET] }, env), findings };
  }
}

/** "clientId (AZURE_CLIENT_ID): set …" → what it is about, and the fix after the colon. */
function split(problem: string): { subject: string; fix: string } {
  const colon = problem.indexOf(": ");
  if (colon === -1) return { subject: "the configuration", fix: problem };
  return { subject: problem.slice(0, colon), fix: problem.slice(colon + 2) };
}
