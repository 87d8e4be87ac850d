import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { serverUrl } from "../../test/database.ts";
import { makePrincipal, TEST_CONTEXT } from "../../test/factories.ts";
import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { credentialCacheStats } from "../credentials/credential-cache.ts";
import { createApiSchema } from "./api-schemas.ts";
import { apiByIdentifier } from "./audience.ts";
import { createApi, deleteApi, setApiDisabled, updateApi } from "./manage-apis.ts";

/**
 * The registry's cache (tag `apis`) forgets an API on every change, so the token endpoint never
 * issues with a stale audience. A file of its own: a change made before this process listened to
 * the change feed stays "in flight" (uncached) for half a minute, which would hide the cache here.
 */
const context = TEST_CONTEXT;
const unique = () => randomBytes(4).toString("hex");
const input = () =>
  createApiSchema.parse({
    name: `Orders ${unique()}`,
    identifier: `https://orders-${unique()}.example.test/`,
  });

/**
 * Until the cache answers `identifier` from memory: the change feed must be listening, and the
 * change that created the API must have come back through NOTIFY (until then nothing is cached).
 */
async function untilCached(identifier: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    await apiByIdentifier(identifier);
    const before = credentialCacheStats().hits;
    await apiByIdentifier(identifier);
    if (credentialCacheStats().hits > before) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the registry cache never served the API");
}

describe("the registry cache (tag apis)", () => {
  // Needs a PostgreSQL server: the change feed (LISTEN) is off in embedded mode.
  it.skipIf(!serverUrl())(
    "forgets an API on every change: the token endpoint's lookup sees it at once",
    async () => {
      const { principal: admin } = await makePrincipal(["admin"]);
      const fields = input();
      ensureChangeFeed();
      const { id } = await createApi({ actor: admin, input: fields, context });
      await untilCached(fields.identifier);
      expect(await apiByIdentifier(fields.identifier)).toMatchObject({
        id,
        disabled: false,
        accessTokenTtlSeconds: 900,
      });
      await setApiDisabled({ actor: admin, id, disabled: true, context });
      expect(await apiByIdentifier(fields.identifier)).toMatchObject({ disabled: true });
      await untilCached(fields.identifier);
      await updateApi({ actor: admin, id, input: { accessTokenTtlSeconds: 300 }, context });
      expect(await apiByIdentifier(fields.identifier)).toMatchObject({ accessTokenTtlSeconds: 300 });
      await untilCached(fields.identifier);
      await deleteApi({ actor: admin, id, confirm: false, context });
      expect(await apiByIdentifier(fields.identifier)).toBeNull();
    },
  );
});
