import { CONSUMERS_TENANT_ID } from "../directory.js";
import { stableGuid } from "../ids.js";
import { GRAPH_APP_ID } from "../microsoft-graph.js";
import { defaultExternalTenant } from "./default-external-tenant.js";
import type { DirectoryInput } from "./schema.js";

/** Ids of the built-in directory, for tests and documentation. */
export const defaults = {
  contoso: "8d2f4c1a-6b3e-4f5d-9a7c-2e1b0d3c4f5a",
  fabrikam: "c3e5a7b9-1d2f-4a6c-8e0b-5f7d9c1e3a2b",
  webApp: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  webAppSecret: "entrance-emulator-development-secret",
  adminRole: "Entrance.Admin",
  /** A daemon (no users) that calls the web app's API and Graph as itself. */
  daemonApp: "6c9f2a3b-8d5e-4fab-94c7-1b2e3d4f5a6c",
  daemonSecret: "entrance-emulator-daemon-secret",
  /** The web app's application permission (an app role for applications) that the daemon holds. */
  daemonRole: "Orders.Read.All",
  /** An Azure AD B2C tenant (`contosob2c.onmicrosoft.com`) with its user flows and one customer. */
  b2c: {
    tenant: "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
    domain: "contosob2c.onmicrosoft.com",
    webApp: "b2c0ffee-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
    webAppSecret: "entrance-emulator-b2c-development-secret",
    signUpSignIn: "B2C_1_signupsignin",
    passwordReset: "B2C_1_passwordreset",
    profileEdit: "B2C_1_profileedit",
    customer: "c0ffee00-2b3c-4d5e-8f60-7a8b9c0d1e2f",
    customerEmail: "ada@customers.example",
    customerPassword: "Customer-passw0rd",
  },
  users: {
    admin: "1f0c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    overage: "2a1d3c4b-5e6f-4071-9b8c-0d1e2f3a4b5c",
    noPhoto: "3b2e4d5c-6f70-4182-ac9d-1e2f3a4b5c6d",
    guest: "4c3f5e6d-7081-4293-bdae-2f3a4b5c6d7e",
    member: "5d40a6f7-8192-43a4-8ebf-3a4b5c6d7e8f",
    sameMail: "6e51b7a8-92a3-44b5-9fc0-4b5c6d7e8f90",
    /** A personal Microsoft account (consumers tenant); MSA object ids start with 16 zeros. */
    personal: "00000000-0000-0000-5e1f-2a3b4c5d6e7f",
  },
} as const;

const namedGroups = [
  { id: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", displayName: "All Staff" },
  { id: "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", displayName: "Engineering" },
  { id: "9c3d4e5f-6a7b-4c8d-ae9f-1a2b3c4d5e6f", displayName: "Sales" },
];

/** 250 project groups: enough to push one user past the 200-group token limit. */
const projectGroups = Array.from({ length: 250 }, (_, i) => ({
  id: stableGuid(`contoso/project-group/${i + 1}`),
  displayName: `Project ${String(i + 1).padStart(3, "0")}`,
}));

const [allStaff, engineering, sales] = namedGroups.map((group) => group.id) as [
  string,
  string,
  string,
];

/**
 * The directory the emulator serves when no configuration file is given: a "contoso" tenant with
 * a web app registered for http://localhost:3000 and users covering the interesting cases, and a
 * "fabrikam" tenant whose user claims a contoso user's e-mail address, and the personal-account
 * tenant with one personal Microsoft account; and an External ID tenant for customers
 * (config/default-external-tenant.ts).
 */
export const defaultDirectory: DirectoryInput = {
  tenants: [
    {
      id: defaults.contoso,
      domain: "contoso.onmicrosoft.com",
      displayName: "Contoso",
      apps: [
        {
          clientId: defaults.webApp,
          displayName: "Entrance reference app",
          secrets: [defaults.webAppSecret],
          redirectUris: ["http://localhost:3000/auth/callback", "http://localhost:3000/"],
          frontchannelLogoutUrl: "http://localhost:3000/auth/frontchannel-logout",
          multiTenant: true,
          optionalClaims: ["acct"],
          appRoles: [
            {
              id: "0e1f2a3b-4c5d-4e6f-8a7b-8c9d0e1f2a3b",
              value: defaults.adminRole,
              displayName: "Entrance administrator",
              description: "Can use the admin panel",
            },
            {
              id: "1f2a3b4c-5d6e-4f7a-8b8c-9d0e1f2a3b4c",
              value: "Orders.Approve",
              displayName: "Order approver",
            },
            {
              id: "2a3b4c5d-6e7f-4a8b-9c9d-0e1f2a3b4c5d",
              value: defaults.daemonRole,
              displayName: "Read all orders (application)",
              description: "Lets a daemon read every order without a signed-in user",
              allowedMemberTypes: ["Application"],
            },
          ],
          exposedScopes: ["access_as_user", "Orders.Read"],
        },
        {
          clientId: defaults.daemonApp,
          displayName: "Entrance daemon",
          secrets: [defaults.daemonSecret],
          applicationPermissions: {
            [defaults.webApp]: [defaults.daemonRole],
            [GRAPH_APP_ID]: ["User.Read.All"],
          },
        },
      ],
      groups: [...namedGroups, ...projectGroups],
      users: [
        {
          id: defaults.users.admin,
          userPrincipalName: "megan@contoso.onmicrosoft.com",
          displayName: "Megan Bowen",
          givenName: "Megan",
          surname: "Bowen",
          mail: "megan.bowen@contoso.com",
          jobTitle: "IT Administrator",
          officeLocation: "12/1110",
          businessPhones: ["+1 425 555 0109"],
          preferredLanguage: "en-US",
          appRoles: { [defaults.webApp]: [defaults.adminRole] },
          groups: [allStaff, engineering],
        },
        {
          id: defaults.users.overage,
          userPrincipalName: "adele@contoso.onmicrosoft.com",
          displayName: "Adele Vance",
          givenName: "Adele",
          surname: "Vance",
          mail: "adele.vance@contoso.com",
          jobTitle: "Programme Manager (member of 250+ groups)",
          officeLocation: "18/2111",
          preferredLanguage: "en-GB",
          groups: [allStaff, ...projectGroups.map((group) => group.id)],
        },
        {
          id: defaults.users.noPhoto,
          userPrincipalName: "alex@contoso.onmicrosoft.com",
          displayName: "Alex Wilber",
          givenName: "Alex",
          surname: "Wilber",
          mail: "alex.wilber@contoso.com",
          jobTitle: "Sales Representative (no photo)",
          groups: [allStaff, sales],
          photo: false,
          appRoles: { [defaults.webApp]: ["Orders.Approve"] },
        },
        {
          id: defaults.users.member,
          userPrincipalName: "lee@contoso.onmicrosoft.com",
          displayName: "Lee Gu",
          givenName: "Lee",
          surname: "Gu",
          mail: "lee.gu@contoso.com",
          jobTitle: "Developer",
          groups: [allStaff, engineering],
        },
        {
          id: defaults.users.guest,
          userPrincipalName: "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com",
          displayName: "Pradeep Gupta (guest)",
          givenName: "Pradeep",
          surname: "Gupta",
          mail: "pradeep@fabrikam.com",
          userType: "Guest",
          idp: `https://sts.windows.net/${defaults.fabrikam}/`,
          groups: [sales],
        },
      ],
    },
    {
      id: defaults.fabrikam,
      domain: "fabrikam.onmicrosoft.com",
      displayName: "Fabrikam",
      users: [
        {
          id: defaults.users.sameMail,
          userPrincipalName: "mallory@fabrikam.onmicrosoft.com",
          displayName: "Mallory (fabrikam, claims Megan's e-mail)",
          givenName: "Mallory",
          mail: "megan.bowen@contoso.com",
          jobTitle: "Not Megan",
        },
      ],
    },
    defaultExternalTenant,
    {
      // An Azure AD B2C tenant: reached through its policies only, its customers sign in with an
      // e-mail address and a password, and may sign up themselves.
      id: defaults.b2c.tenant,
      kind: "b2c",
      domain: defaults.b2c.domain,
      displayName: "Contoso customers (B2C)",
      b2c: {
        userFlows: [
          { name: defaults.b2c.signUpSignIn, type: "signUpSignIn" },
          { name: defaults.b2c.passwordReset, type: "passwordReset" },
          { name: defaults.b2c.profileEdit, type: "profileEdit" },
        ],
        policyClaim: "tfp",
      },
      apps: [
        {
          clientId: defaults.b2c.webApp,
          displayName: "Entrance reference app (B2C)",
          secrets: [defaults.b2c.webAppSecret],
          redirectUris: ["http://localhost:3000/auth/callback", "http://localhost:3000/"],
          groupMembershipClaims: "None",
          // Its API's scope: https://contosob2c.onmicrosoft.com/{client id}/Orders.Read
          exposedScopes: ["Orders.Read"],
        },
      ],
      users: [
        {
          id: defaults.b2c.customer,
          userPrincipalName: `${defaults.b2c.customer}@${defaults.b2c.domain}`,
          displayName: "Ada Customer",
          givenName: "Ada",
          surname: "Customer",
          mail: defaults.b2c.customerEmail,
          password: defaults.b2c.customerPassword,
          photo: false,
        },
      ],
    },
    {
      // Personal Microsoft accounts: one tenant of their own, reached through `consumers` or
      // `common` (never `organizations`). Nobody assigns them roles or groups.
      id: CONSUMERS_TENANT_ID,
      domain: "live.com",
      displayName: "Personal Microsoft accounts",
      users: [
        {
          id: defaults.users.personal,
          userPrincipalName: "kim.akers@outlook.com",
          displayName: "Kim Akers (personal account)",
          givenName: "Kim",
          surname: "Akers",
          mail: "kim.akers@outlook.com",
        },
      ],
    },
  ],
};
