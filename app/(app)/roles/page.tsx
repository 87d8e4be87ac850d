import type { Metadata } from "next";

import { PlannedArea } from "@/components/layout/planned-area";
import { requirePageUser } from "@/lib/http/page";

export const metadata: Metadata = { title: "Roles" };

export default async function Page() {
  await requirePageUser("roles.read");
  return (
    <PlannedArea
      title="Roles"
      description="Custom roles and the permission matrix arrive with the users and roles release."
    />
  );
}
