/**
 * Entrance runs on Node's runtime as Node loads it (MSAL Node, node:crypto, the SQLite store's
 * native module), so Next leaves its packages to Node rather than bundling them.
 *
 * @type {import("next").NextConfig}
 */
const config = {
  serverExternalPackages: [
    "@entrance/next",
    "@entrance/core",
    "@entrance/store-sql",
    "@entrance/store-redis",
  ],
  poweredByHeader: false,
  // The repository's TypeScript is 7, which has no compiler API: Next type-checks with its CLI.
  experimental: { useTypeScriptCli: true },
};

export default config;
