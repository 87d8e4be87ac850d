import type { Metadata } from "next";

import { ApiForm } from "@/components/apis/api-form";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { requirePageUser } from "@/lib/http/page";
import { getSettings } from "@/lib/settings/settings";

import { createApiAction } from "../actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: "Register an API · APIs" };
}

export default async function NewApiPage() {
  const principal = await requirePageUser("apis.write");
  const { accessTokenMinutes } = await getSettings(db);
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "APIs", href: "/apis" }, { label: "Register an API" }]}
        title="Register an API"
        description="One of your services that accepts Keyward's tokens. Add its permissions next; roles grant them, and tokens and clients carry them."
      />
      <ApiForm action={createApiAction} defaultOwner={principal.email} capMinutes={accessTokenMinutes} />
    </>
  );
}
