import type { Metadata } from "next";

import { PlannedArea } from "@/components/layout/planned-area";
import { requirePageUser } from "@/lib/http/page";

export const metadata: Metadata = { title: "Users" };

export default async function Page() {
  await requirePageUser("users.read");
  return (
    <PlannedArea
      title="Users"
      description="Inviting, editing and disabling users from the browser arrives with the users and roles release."
    />
  );
}
