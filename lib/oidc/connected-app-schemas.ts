import { z } from "zod";

import { appIdSchema } from "../apps/app-schemas.ts";
import { userIdSchema } from "../users/user-schemas.ts";

/**
 * The one input of My account → Connected apps: which app to take one's consent back from. The
 * form's hidden field, the server action and the REST path (`/me/apps/{appId}`) share it.
 */
export const connectedAppRefSchema = z.object({ appId: appIdSchema });
export type ConnectedAppRef = z.infer<typeof connectedAppRefSchema>;

/** An administrator's choice on a user's page: whose use of which app to end. */
export const userAppRefSchema = connectedAppRefSchema.extend({ userId: userIdSchema });
