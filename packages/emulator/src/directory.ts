import type { z } from "zod";
import { parseDirectory } from "./config/load.js";
import type {
  AppRegistration,
  appSchema,
  DirectoryConfig,
  Group,
  Tenant,
  User,
  userSchema,
} from "./config/schema.js";

/** The tenant id Entra uses for personal Microsoft accounts. */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/** The `{tenant}` path segments that are not one tenant. */
export type TenantAlias = "common" | "organizations" | "consumers";

export type UserInput = z.input<typeof userSchema>;
export type AppInput = z.input<typeof appSchema>;

export interface Located<T> {
  readonly tenant: Tenant;
  readonly value: T;
}

/**
 * The emulator's directory: tenants, app registrations, groups and users. Every change is checked
 * against the same schema as the configuration file, so the directory is never left inconsistent.
 */
export class Directory {
  #config: DirectoryConfig;

  constructor(config: DirectoryConfig) {
    this.#config = config;
  }

  get tenants(): readonly Tenant[] {
    return this.#config.tenants;
  }

  /** A tenant by GUID or domain name (case-insensitive), as it appears in an authority URL. */
  tenant(key: string): Tenant | undefined {
    const wanted = key.toLowerCase();
    return this.#config.tenants.find((t) => t.id === wanted || t.domain === wanted);
  }

  app(clientId: string): Located<AppRegistration> | undefined {
    for (const tenant of this.#config.tenants) {
      const app = tenant.apps.find((a) => a.clientId === clientId);
      if (app) return { tenant, value: app };
    }
    return undefined;
  }

  /** A user by object id or user principal name. */
  user(idOrUpn: string): Located<User> | undefined {
    const wanted = idOrUpn.toLowerCase();
    for (const tenant of this.#config.tenants) {
      const user = tenant.users.find(
        (u) => u.id === wanted || u.userPrincipalName.toLowerCase() === wanted,
      );
      if (user) return { tenant, value: user };
    }
    return undefined;
  }

  /** The groups a user is a direct member of, in the order the directory lists them. */
  groupsOf(located: Located<User>): Group[] {
    const ids = new Set(located.value.groups);
    return located.tenant.groups.filter((group) => ids.has(group.id));
  }

  /** Adds a user to a tenant, or replaces the user with the same id. */
  putUser(tenantKey: string, input: UserInput): User {
    const tenant = this.#mustTenant(tenantKey);
    const next = this.#edit((draft) => {
      const users = draft.tenants.find((t) => t.id === tenant.id)?.users as unknown[];
      const at = (users as { id: string }[]).findIndex((u) => u.id === input.id);
      if (at >= 0) users[at] = input;
      else users.push(input);
    });
    return this.#adopt(next).user(input.id)?.value as User;
  }

  /** Removes a user; returns whether there was one. */
  removeUser(id: string): boolean {
    const found = this.user(id);
    if (!found) return false;
    this.#adopt(
      this.#edit((draft) => {
        const tenant = draft.tenants.find((t) => t.id === found.tenant.id) as { users: User[] };
        tenant.users = tenant.users.filter((u) => u.id !== found.value.id);
      }),
    );
    return true;
  }

  /** Adds an app registration to a tenant, or replaces the one with the same client id. */
  putApp(tenantKey: string, input: AppInput): AppRegistration {
    const tenant = this.#mustTenant(tenantKey);
    const next = this.#edit((draft) => {
      const apps = draft.tenants.find((t) => t.id === tenant.id)?.apps as unknown[];
      const at = (apps as { clientId: string }[]).findIndex((a) => a.clientId === input.clientId);
      if (at >= 0) apps[at] = input;
      else apps.push(input);
    });
    return this.#adopt(next).app(input.clientId)?.value as AppRegistration;
  }

  /** A deep copy of the directory as a configuration value. */
  toJSON(): DirectoryConfig {
    return structuredClone(this.#config);
  }

  #mustTenant(key: string): Tenant {
    const tenant = this.tenant(key);
    if (!tenant) throw new RangeError(`no tenant "${key}" in the emulator's directory`);
    return tenant;
  }

  #edit(change: (draft: DirectoryConfig) => void): DirectoryConfig {
    const draft = structuredClone(this.#config);
    change(draft);
    return parseDirectory(draft, "the changed directory");
  }

  #adopt(next: DirectoryConfig): this {
    this.#config = next;
    return this;
  }
}
