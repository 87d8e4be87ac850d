import { stepUpPasskeyOptions } from "@/lib/auth/reauthenticate";
import { json, route } from "@/lib/http/route";

export const POST = route({ permission: "authenticated", duringEnrollment: true }, async ({ principal }) =>
  json(await stepUpPasskeyOptions(principal)),
);
