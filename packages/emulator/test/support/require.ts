/**
 * The rule for tests that need something the machine may lack (Chromium, PostgreSQL, Redis):
 * locally a missing component skips those tests and says how to install it, so `npm test` stays
 * useful on a bare machine; in CI (`ENTRANCE_REQUIRE_ALL=1`) the same gap fails the run, so a
 * green CI can never hide tests that silently did not run (docs/architecture.md, "Quality gates").
 */
import { describe, it } from "vitest";

/** The environment variable that turns a missing component from a skip into a failure. */
export const REQUIRE_ALL_ENV = "ENTRANCE_REQUIRE_ALL";

/** What to do with the tests that need a component. */
export type RequirementDecision =
  | { readonly action: "run" }
  | { readonly action: "skip"; readonly reason: string }
  | { readonly action: "fail"; readonly reason: string };

/** The environment variables {@link decideRequirement} reads; `process.env` fits. */
export type RequirementEnv = Readonly<Record<string, string | undefined>>;

/**
 * Whether every component is required, i.e. `ENTRANCE_REQUIRE_ALL` is exactly `"1"`.
 *
 * @param env - where to read the variable; injectable so the rule can be tested without
 *   mutating the real environment.
 */
export function requireAllEnabled(env: RequirementEnv = process.env): boolean {
  return env[REQUIRE_ALL_ENV] === "1";
}

/**
 * Pure decision: run when the component is there; otherwise skip, or fail when every component
 * is required. The reason always carries the install hint so whoever reads the report knows the
 * one command that fixes it.
 *
 * @param name - human name of the component, e.g. `"Chromium"`.
 * @param available - whether the component was found.
 * @param installHint - the command that installs or starts it, e.g. `"apt-get install chromium"`.
 * @param env - environment to read `ENTRANCE_REQUIRE_ALL` from.
 */
export function decideRequirement(
  name: string,
  available: boolean,
  installHint: string,
  env: RequirementEnv = process.env,
): RequirementDecision {
  if (available) return { action: "run" };
  if (requireAllEnabled(env)) {
    return {
      action: "fail",
      reason: `${name} is required (${REQUIRE_ALL_ENV}=1) but not available; install it with: ${installHint}`,
    };
  }
  return {
    action: "skip",
    reason: `${name} is not available; install it with: ${installHint}`,
  };
}

/** A `describe` replacement that applies the requirement rule to a whole suite. */
export type RequiredDescribe = (title: string, factory: () => void) => void;

/**
 * Builds a `describe` replacement for suites that need `name`.
 *
 * When the component is missing the suite's own factory is never called, so its hooks (which
 * would try to launch or connect to the missing component) never run; a single placeholder test
 * stands in and either skips with the reason (visible in the test title and the skip note) or
 * fails with it. For components whose availability must be probed asynchronously, probe with a
 * top-level `await` in the test file and pass the boolean here.
 *
 * @param name - human name of the component, e.g. `"PostgreSQL"`.
 * @param available - whether the component was found.
 * @param installHint - the command that installs or starts it.
 */
export function requireComponent(
  name: string,
  available: boolean,
  installHint: string,
): RequiredDescribe {
  return (title, factory) => {
    const decision = decideRequirement(name, available, installHint);
    switch (decision.action) {
      case "run":
        describe(title, factory);
        return;
      case "skip":
        describe(title, () => {
          it(`skipped: ${decision.reason}`, (ctx) => {
            ctx.skip(decision.reason);
          });
        });
        return;
      case "fail":
        describe(title, () => {
          it(`requires ${name}`, () => {
            throw new Error(decision.reason);
          });
        });
        return;
    }
  };
}
