import { createAdmin, type EntranceAdmin } from "@entrance/admin";
import { mount } from "../../../lib/entrance";

let admin: EntranceAdmin | undefined;

/** The admin panel (staff with the Entrance.Admin app role): its `Request` → `Response` handler. */
const panel = mount((request, info, core) => {
  admin ??= createAdmin(core, { basePath: "/admin" });
  return admin.handle(request, info);
});

export { panel as GET, panel as POST };
