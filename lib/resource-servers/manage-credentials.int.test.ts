import { describe, expect, it } from "vitest";

import { BUILT_IN_API_ID } from "@/lib/apis/built-in-api";
import { db } from "@/lib/db/client";
import { listResourceServerCredentials } from "@/lib/resource-servers/list-credentials";
import {
  createResourceServerCredential,
  revokeResourceServerCredential,
  rotateResourceServerSecret,
} from "@/lib/resource-servers/manage-credentials";
import { verifyPersonalToken } from "@/lib/tokens/verify-token";
import { developerWith, mintTestToken } from "@/test/credentials";
import { codeOf, makePrincipal, present, TEST_CONTEXT } from "@/test/factories";
import { makeApi } from "@/test/api-factories";

// Guarantee: only an API's owner (signed in, under step-up) or an apis.write holder makes, rotates
// or revokes its resource-server credentials; a bearer credential never receives a secret.

const context = TEST_CONTEXT;
const LIST = { limit: 50 };

describe("resource-server credentials", () => {
  it("the API's owner creates one (secret once, hashed), lists, rotates and revokes it, each audited", async () => {
    const owner = await makePrincipal(["member"]);
    const api = await makeApi({ permissions: ["orders.read"], ownerId: owner.user.id });
    const actor = owner.principal;
    const created = await createResourceServerCredential({
      actor,
      apiId: api.id,
      name: "orders-prod",
      context,
    });
    expect(created.clientId).toMatch(/^rs_/);
    expect(created.clientSecret).toMatch(/^kw_rs_/);
    const stored = await db.resourceServerSecret.findMany({ where: { credentialId: created.credentialId } });
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(created.clientSecret);

    const listed = await listResourceServerCredentials(actor, api.id, LIST);
    expect(listed.items.map((item) => [item.id, item.status, item.name])).toEqual([
      [created.credentialId, "active", "orders-prod"],
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.clientSecret);

    const ref = { actor, apiId: api.id, credentialId: created.credentialId, context };
    await rotateResourceServerSecret({ ...ref, overlapMinutes: 5 });
    expect((await listResourceServerCredentials(actor, api.id, LIST)).items[0]?.secrets).toHaveLength(2);
    await revokeResourceServerCredential(ref);
    await revokeResourceServerCredential(ref);
    const after = present((await listResourceServerCredentials(actor, api.id, LIST)).items[0]);
    expect(after.status).toBe("revoked");
    expect(after.secrets).toEqual([]);
    expect(await codeOf(rotateResourceServerSecret({ ...ref, overlapMinutes: 0 }))).toBe("conflict");

    const events = await db.auditEvent.findMany({
      where: { targetId: created.credentialId },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => event.action)).toEqual([
      "resource_server_credential.created",
      "resource_server_credential.rotated",
      "resource_server_credential.revoked",
    ]);
    expect(JSON.stringify(events.map((event) => event.details))).not.toContain(created.clientSecret);
  });

  it("refuses who neither owns the API nor holds apis.write; apis.read may only list", async () => {
    const api = await makeApi({ permissions: ["orders.read"] });
    const reader = await developerWith(["apis.read"]);
    const stranger = await makePrincipal(["member"]);
    const input = { apiId: api.id, name: "x", context };
    expect(await codeOf(createResourceServerCredential({ ...input, actor: reader.principal }))).toBe(
      "forbidden",
    );
    expect(await codeOf(createResourceServerCredential({ ...input, actor: stranger.principal }))).toBe(
      "forbidden",
    );
    expect((await listResourceServerCredentials(reader.principal, api.id, LIST)).items).toEqual([]);
    expect(await codeOf(listResourceServerCredentials(stranger.principal, api.id, LIST))).toBe("forbidden");

    const admin = await makePrincipal(["admin"]);
    const made = await createResourceServerCredential({ ...input, actor: admin.principal });
    const ref = { apiId: api.id, credentialId: made.credentialId, context };
    expect(await codeOf(revokeResourceServerCredential({ ...ref, actor: reader.principal }))).toBe(
      "forbidden",
    );
    expect(
      await codeOf(rotateResourceServerSecret({ ...ref, actor: stranger.principal, overlapMinutes: 0 })),
    ).toBe("forbidden");
    // Another API's credential is not found through this API.
    const other = await makeApi({ permissions: ["x.read"] });
    expect(
      await codeOf(revokeResourceServerCredential({ ...ref, apiId: other.id, actor: admin.principal })),
    ).toBe("not_found");
    expect(
      await codeOf(
        createResourceServerCredential({ ...input, apiId: "api_missing", actor: admin.principal }),
      ),
    ).toBe("not_found");
  });

  it("a bearer credential never creates a credential or a secret, whatever it holds (session_required)", async () => {
    const admin = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["orders.read"], ownerId: admin.user.id });
    const pat = await mintTestToken(admin.principal, ["apis.write", "apis.read"]);
    const bearer = present(await verifyPersonalToken(pat.token));
    expect(
      await codeOf(createResourceServerCredential({ actor: bearer, apiId: api.id, name: "x", context })),
    ).toBe("session_required");
    const made = await createResourceServerCredential({
      actor: admin.principal,
      apiId: api.id,
      name: "x",
      context,
    });
    const ref = { apiId: api.id, credentialId: made.credentialId, context };
    expect(await codeOf(rotateResourceServerSecret({ ...ref, actor: bearer, overlapMinutes: 0 }))).toBe(
      "session_required",
    );
    // Revoking creates nothing: a bearer with apis.write may.
    await revokeResourceServerCredential({ ...ref, actor: bearer });
  });

  it("Keyward's own API: only apis.write makes its credentials", async () => {
    const developer = await makePrincipal(["developer"]);
    const input = { apiId: BUILT_IN_API_ID, name: "x", context };
    expect(await codeOf(createResourceServerCredential({ ...input, actor: developer.principal }))).toBe(
      "forbidden",
    );
    const admin = await makePrincipal(["admin"]);
    const made = await createResourceServerCredential({ ...input, actor: admin.principal });
    expect(made.clientId).toMatch(/^rs_/);
  });
});
