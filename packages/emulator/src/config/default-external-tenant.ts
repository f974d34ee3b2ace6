import type { DirectoryInput } from "./schema.js";

/** Ids of the built-in External ID tenant, for tests and documentation. */
export const externalDefaults = {
  /** The external (customer) tenant: `contosocustomers.onmicrosoft.com`. */
  tenant: "a4b7c1d2-3e5f-4a6b-9c8d-7e6f5a4b3c2d",
  /** Its subdomain: the real authority would be `https://contosocustomers.ciamlogin.com/`. */
  subdomain: "contosocustomers",
  /** The reference app registered in the external tenant for http://localhost:3000. */
  app: "b5c8d2e3-4f60-4b7c-8d9e-8f7a6b5c4d3e",
  appSecret: "entrance-emulator-customers-secret",
  /** A customer who signed up already (e-mail and password account). */
  customer: "c6d9e3f4-5061-4c8d-9eaf-9a8b7c6d5e4f",
  customerEmail: "ava.lopez@example.net",
} as const;

/**
 * An Entra External ID tenant for an app's customers: one app (the reference app's registration
 * for customers) and one customer. Customers who sign up through the emulator's sign-up page are
 * added here. Customers' user principal names are `{object id}@{tenant domain}`; they sign in with
 * their e-mail address (`mail`).
 */
export const defaultExternalTenant: DirectoryInput["tenants"][number] = {
  id: externalDefaults.tenant,
  domain: `${externalDefaults.subdomain}.onmicrosoft.com`,
  displayName: "Contoso Customers",
  kind: "external",
  apps: [
    {
      clientId: externalDefaults.app,
      displayName: "Entrance reference app (customers)",
      secrets: [externalDefaults.appSecret],
      redirectUris: ["http://localhost:3000/auth/callback", "http://localhost:3000/"],
      frontchannelLogoutUrl: "http://localhost:3000/auth/frontchannel-logout",
      groupMembershipClaims: "None",
    },
  ],
  users: [
    {
      id: externalDefaults.customer,
      userPrincipalName: `${externalDefaults.customer}@${externalDefaults.subdomain}.onmicrosoft.com`,
      displayName: "Ava Lopez",
      givenName: "Ava",
      surname: "Lopez",
      mail: externalDefaults.customerEmail,
    },
  ],
};
