import type { Metadata } from "next";

import { ConnectedAppList } from "@/components/account/connected-app-list";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/http/page";
import { listConnectedApps } from "@/lib/oidc/connected-apps";

import { revokeConnectedAppAction } from "./actions";

export const metadata: Metadata = { title: "Connected apps · My account" };

export default async function ConnectedAppsPage() {
  const principal = await requirePageUser();
  const apps = await listConnectedApps(principal);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        breadcrumbs={[{ label: "My account", href: "/account" }, { label: "Connected apps" }]}
        title="Connected apps"
        description="Apps you signed in to with your Keyward account, and what each may do for you."
      />
      <ConnectedAppList apps={apps} revoke={revokeConnectedAppAction} />
    </div>
  );
}
