import { toMe } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

/** The caller as Keyward sees it: identity and effective permissions. */
export const GET = apiRoute(V1.me, async ({ principal }) => json(toMe(principal)));
