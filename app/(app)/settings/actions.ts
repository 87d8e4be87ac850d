"use server";

import { action } from "@/lib/http/action";
import { securitySettingsSchema, updateSecuritySettings } from "@/lib/settings/update-settings";

export const updateSecuritySettingsAction = action(
  { permission: "settings.write", schema: securitySettingsSchema, booleans: ["mfaRequiredForAll"] },
  async ({ principal, input, context }) => {
    await updateSecuritySettings({ ...input, actor: principal, context });
    return { message: "Settings saved." };
  },
);
