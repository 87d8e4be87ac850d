import { db } from "@/lib/db/client";
import { json, publicRoute } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Readiness: the database answers within two seconds. */
export const GET = publicRoute({}, async () => {
  try {
    await Promise.race([
      db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000).unref()),
    ]);
    return json({ status: "ready", database: "ok" });
  } catch {
    return json({ status: "unavailable", database: "unreachable" }, { status: 503 });
  }
});
