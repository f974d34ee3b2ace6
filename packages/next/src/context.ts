import type { EntranceContext } from "@entrance/core";

/**
 * The context with its methods bound, so that `const { user, loginUrl } = await auth()` works as
 * Next code is written. Core's context is a class (one object per request, private fields), whose
 * methods lose `this` when taken off it; getters here still run on the context itself.
 */
export function destructurable(context: EntranceContext): EntranceContext {
  return new Proxy(context, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
