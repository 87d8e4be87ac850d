import { action } from "../http/action.ts";
import type { Permission } from "../policy/permissions.ts";
import { catalogPageSchema } from "./catalog-schema.ts";
import { permissionCatalog, type PermissionCatalogOptions } from "./permission-catalog.ts";

type CatalogFilter = Omit<PermissionCatalogOptions, "actor" | "query" | "cursor">;

/**
 * The server action behind a form's API permission picker (components/credentials/
 * api-permission-picker.tsx): a page of the catalog, searched, under the permission the form needs
 * and with the form's filter. A read: nothing changes, so no page is re-rendered.
 */
export function catalogAction(permission: Permission, filter: CatalogFilter = {}) {
  return action({ permission, read: true, schema: catalogPageSchema }, async ({ principal, input }) => ({
    message: "",
    data: await permissionCatalog({
      ...filter,
      actor: principal,
      query: input.query,
      cursor: input.cursor || undefined,
    }),
  }));
}
