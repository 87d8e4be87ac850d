import { randomBytes } from "node:crypto";

import { createAppSchema, type CreateAppInput } from "../lib/apps/app-schemas.ts";
import { createApp } from "../lib/apps/manage-apps.ts";
import { makePrincipal, TEST_CONTEXT } from "./factories.ts";

/** A valid registration (a web app with one https redirect URI and a unique name), with these fields changed. */
export function appRegistration(fields: Record<string, unknown> = {}): CreateAppInput {
  return createAppSchema.parse({
    kind: "web",
    name: `Portal ${randomBytes(4).toString("hex")}`,
    redirectUris: ["https://portal.example.test/callback"],
    ...fields,
  });
}

/** An application registered through the domain by a fresh administrator, who is returned too. */
export async function makeApp(fields: Record<string, unknown> = {}) {
  const { principal } = await makePrincipal(["admin"]);
  const app = await createApp({ actor: principal, context: TEST_CONTEXT, input: appRegistration(fields) });
  return { principal, app };
}
