import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { PERMISSION_DESCRIPTIONS, PERMISSIONS } from "@/lib/policy/permissions";

export const GET = apiRoute(V1.permissions, async () =>
  json({ items: PERMISSIONS.map((key) => ({ key, description: PERMISSION_DESCRIPTIONS[key] })) }),
);
