import type { Metadata } from "next";

import { ClientForm } from "@/components/clients/client-form";
import { PageHeader } from "@/components/ui/page-header";
import { permissionCatalog } from "@/lib/apis/permission-catalog";
import { requirePageUser } from "@/lib/http/page";

import { clientCatalogAction, createClientAction } from "../actions";

export const metadata: Metadata = { title: "Register an API client · API clients" };

export default async function NewClientPage() {
  const principal = await requirePageUser("clients.write");
  const catalog = await permissionCatalog({ actor: principal });
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "API clients", href: "/clients" }, { label: "Register an API client" }]}
        title="Register an API client"
        description="You become its accountable owner: it can never do more than you may, and it stops if your account is disabled."
      />
      <ClientForm
        action={createClientAction}
        held={[...principal.permissions]}
        apis={{ ...catalog, chosen: [], load: clientCatalogAction }}
      />
    </>
  );
}
