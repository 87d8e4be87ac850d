import { json, publicRoute } from "@/lib/http/route";
import { completeSetup } from "@/lib/setup/complete-setup";
import { setupSchema } from "@/lib/setup/schemas";

/** First run only: the one-time code from the server log creates the first administrator. */
export const POST = publicRoute({ body: setupSchema }, async ({ body, context }) => {
  const { userId } = await completeSetup({ ...body, context });
  return json({ userId }, { status: 201 });
});
