import type { Db } from "../db/client.ts";
import { getSettings } from "../settings/settings.ts";

/** Setup is open until the first administrator exists; then it is closed for good. */
export async function isSetupOpen(client: Db): Promise<boolean> {
  const settings = await getSettings(client, { fresh: true });
  return settings.setupCompletedAt === null;
}
