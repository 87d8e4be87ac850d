import { redirect } from "next/navigation";

import { db } from "@/lib/db/client";
import { currentPageUser } from "@/lib/http/page";
import { isSetupOpen } from "@/lib/setup/setup-state";

export default async function Home() {
  if (await isSetupOpen(db)) redirect("/setup");
  redirect((await currentPageUser()) ? "/account" : "/login");
}
