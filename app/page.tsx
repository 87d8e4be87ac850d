import { redirect } from "next/navigation";

import { db } from "@/lib/db/client";
import { currentPageUser } from "@/lib/http/page";
import { landingPath } from "@/lib/policy/navigation";
import { isSetupOpen } from "@/lib/setup/setup-state";

export default async function Home() {
  if (await isSetupOpen(db)) redirect("/setup");
  const user = await currentPageUser();
  redirect(user ? landingPath(user) : "/login");
}
