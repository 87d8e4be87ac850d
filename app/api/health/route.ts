import { json, publicRoute } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Liveness: the process answers. */
export const GET = publicRoute({}, async () => json({ status: "ok" }));
