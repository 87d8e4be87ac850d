import type { Metadata } from "next";

import { RoleForm } from "@/components/roles/role-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/http/page";

import { createRoleAction } from "../actions";

export const metadata: Metadata = { title: "New role · Roles" };

export default async function NewRolePage() {
  const principal = await requirePageUser("roles.write");
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "Roles", href: "/roles" }, { label: "New role" }]}
        title="New role"
        description="Choose the least it needs: you can always add more later."
      />
      <RoleForm held={[...principal.permissions]} action={createRoleAction} submitLabel="Create role" />
    </>
  );
}
