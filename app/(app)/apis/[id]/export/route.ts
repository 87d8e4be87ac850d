import { apiIdSchema } from "@/lib/apis/api-schemas";
import { exportPermissions } from "@/lib/apis/import-export";
import { NotFound } from "@/lib/errors/app-error";
import { route } from "@/lib/http/route";

/**
 * The API page's "Export JSON": the API's permissions as a download, in the format the import reads
 * back. The signed-in session's; lib/apis decides who may see the API (apis.read, or its owner).
 */
export const GET = route({ permission: "authenticated" }, async ({ principal, params }) => {
  const id = apiIdSchema.safeParse(params.id);
  if (!id.success) throw NotFound("API");
  const exported = await exportPermissions({ actor: principal, id: id.data });
  const file = `${exported.api.name.replace(/[^\w.-]+/g, "-").toLowerCase()}-permissions.json`;
  return new Response(`${JSON.stringify(exported, null, 2)}\n`, {
    headers: {
      "content-type": "application/json",
      "content-disposition": `attachment; filename="${file}"`,
      "cache-control": "no-store",
    },
  });
});
