import type { Metadata } from "next";

import { RoleForm } from "@/components/roles/role-form";
import { PageHeader } from "@/components/ui/page-header";
import { permissionCatalog } from "@/lib/apis/permission-catalog";
import { requirePageUser } from "@/lib/http/page";

import { createRoleAction, roleCatalogAction } from "../actions";

export const metadata: Metadata = { title: "New role · Roles" };

export default async function NewRolePage() {
  const principal = await requirePageUser("roles.write");
  const catalog = await permissionCatalog({ actor: principal });
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "Roles", href: "/roles" }, { label: "New role" }]}
        title="New role"
        description="Choose the least it needs: you can always add more later."
      />
      <RoleForm
        held={[...principal.permissions]}
        apis={{ ...catalog, chosen: [], load: roleCatalogAction }}
        action={createRoleAction}
        submitLabel="Create role"
      />
    </>
  );
}
