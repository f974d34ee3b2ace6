/**
 * The built-in directory of @entrance/emulator that `init --emulator` points a project at: its
 * reference web app (multi-tenant, registered for http://localhost:3000, in Contoso). This
 * package does not depend on the emulator (a project installs it as a devDependency);
 * test/init.test.ts checks these against the emulator's own `defaults`.
 */
export const EMULATOR = {
  /** Contoso, the tenant the app is registered in. */
  tenantId: "8d2f4c1a-6b3e-4f5d-9a7c-2e1b0d3c4f5a",
  clientId: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  /** Not a secret: the emulator's published development secret for its built-in app. */
  clientSecret: "entrance-emulator-development-secret",
  /** Where `npx entrance-emulator` serves discovery, tokens and Graph by default. */
  https: "https://localhost:8443",
  /** Its sign-in pages. */
  http: "http://localhost:8400",
  /** The origin its built-in app is registered for. */
  appOrigin: "http://localhost:3000",
  /** Where it keeps its certificate authority, relative to the folder it runs in. */
  caPath: ".entrance/emulator/ca.pem",
} as const;
