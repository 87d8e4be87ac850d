import type { Metadata } from "next";

import { PlannedArea } from "@/components/layout/planned-area";
import { requirePageUser } from "@/lib/http/page";

export const metadata: Metadata = { title: "Audit log" };

export default async function Page() {
  await requirePageUser("audit.read");
  return (
    <PlannedArea
      title="Audit log"
      description="Every security event is already recorded; searching and exporting them here arrives with the audit release."
    />
  );
}
