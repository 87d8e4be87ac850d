import type { Metadata } from "next";

import { AppForm } from "@/components/apps/app-form";
import { PageHeader } from "@/components/ui/page-header";
import { permissionCatalog } from "@/lib/apis/permission-catalog";
import { requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { roleOptions } from "@/lib/roles/list-roles";

import { appCatalogAction, createAppAction } from "../actions";

export const metadata: Metadata = { title: "Register an application · Applications" };

export default async function NewAppPage() {
  const principal = await requirePageUser("apps.write");
  const [catalog, roles] = await Promise.all([
    permissionCatalog({ actor: principal }),
    can(principal, "roles.read") ? roleOptions(principal) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "Applications", href: "/apps" }, { label: "Register an application" }]}
        title="Register an application"
        description="An app of your organization whose users sign in through Keyward. A web app gets a client secret, shown once."
      />
      <AppForm
        action={createAppAction}
        roles={roles}
        defaultOwner={principal.email}
        apis={{ ...catalog, chosen: [], load: appCatalogAction }}
      />
    </>
  );
}
