import {
  getNotificationPreferences,
  updateNotificationPreferences,
} from "@/lib/account/notification-preferences";
import { toNotificationPreferences } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import type { Principal, UserPrincipal } from "@/lib/auth/principal";
import { SessionRequired } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

// Both operations are declared `session`: apiRoute refuses a bearer credential before this runs.
// The check here only narrows the type for the domain, which takes a signed-in person.
function person(principal: Principal): UserPrincipal {
  if (principal.kind !== "user") throw SessionRequired();
  return principal;
}

export const GET = apiRoute(V1.getMyNotifications, async ({ principal }) =>
  json(toNotificationPreferences(await getNotificationPreferences(person(principal)))),
);

export const PUT = apiRoute(V1.updateMyNotifications, async ({ principal, body, context }) =>
  json(
    toNotificationPreferences(
      await updateNotificationPreferences({ ...body, actor: person(principal), context }),
    ),
  ),
);
