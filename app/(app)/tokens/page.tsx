import type { Metadata } from "next";

import { PlannedArea } from "@/components/layout/planned-area";
import { requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { forbidden } from "next/navigation";

export const metadata: Metadata = { title: "Tokens" };

export default async function Page() {
  const principal = await requirePageUser();
  if (!can(principal, "tokens.create") && !can(principal, "tokens.read")) forbidden();
  return (
    <PlannedArea
      title="Tokens"
      description="Minting scoped personal API tokens arrives with the API credentials release."
    />
  );
}
