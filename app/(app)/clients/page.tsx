import type { Metadata } from "next";

import { PlannedArea } from "@/components/layout/planned-area";
import { requirePageUser } from "@/lib/http/page";

export const metadata: Metadata = { title: "API clients" };

export default async function Page() {
  await requirePageUser("clients.read");
  return (
    <PlannedArea
      title="API clients"
      description="Registering OAuth 2.0 clients arrives with the API credentials release."
    />
  );
}
