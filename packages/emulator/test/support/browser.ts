/**
 * Shared helper for end-to-end tests in Debian's Chromium, driven by playwright-core.
 * Playwright's own browser downloads cannot be fetched here, so tests always use the system
 * binary (docs/architecture.md, "Quality gates").
 */
import { accessSync, constants } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { type RequiredDescribe, requireComponent } from "./require.js";

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The command that installs {@link CHROMIUM_PATH}; shown when Chromium is missing. */
export const CHROMIUM_INSTALL_HINT = "apt-get install chromium";

/**
 * Flags for running as root on a machine without a network: the sandbox cannot start as root,
 * there is no GPU, and the background-networking flags stop Chromium from trying to reach
 * Google's hosts, which this machine refuses and which would only slow every launch.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether {@link CHROMIUM_PATH} exists and is executable, checked once at import. */
export const chromiumAvailable: boolean = isExecutable(CHROMIUM_PATH);

/**
 * `describe` for suites that need Chromium: runs them when it is installed, otherwise skips them
 * with the install command, or fails them when `ENTRANCE_REQUIRE_ALL=1` (as CI sets).
 */
export const describeWithChromium: RequiredDescribe = requireComponent(
  "Chromium",
  chromiumAvailable,
  CHROMIUM_INSTALL_HINT,
);

/**
 * Launches headless Debian Chromium with the project's standard flags. Playwright gives each
 * launch its own fresh temporary profile; the caller must `close()` the browser.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
}
