import { beforeEach, describe, expect, it } from "vitest";

import {
  beginChange,
  cachedCredential,
  clearCredentialCache,
  credentialCacheStats,
  endChange,
  invalidateCredentials,
} from "./credential-cache.ts";

const loaded =
  (value: string, tags: `token:${string}`[] = ["token:a"]) =>
  async () => ({ value, tags });

describe("the credential cache", () => {
  beforeEach(() => clearCredentialCache());

  it("answers a second lookup from memory, and forgets an entry whose tag changed", async () => {
    expect(await cachedCredential("k", loaded("v1"))).toBe("v1");
    expect(await cachedCredential("k", loaded("v2"))).toBe("v1");
    invalidateCredentials(["token:a"]);
    expect(await cachedCredential("k", loaded("v3"))).toBe("v3");
  });

  it("never stores what a load read while a change to its tags was in flight", async () => {
    let release: () => void = () => undefined;
    const slow = cachedCredential("k", async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { value: "read before the change", tags: ["token:a" as const] };
    });
    const change = beginChange(["token:a"], 30_000);
    release();
    expect(await slow).toBe("read before the change");
    // Not stored: the change began while it loaded. And while in flight, nothing is stored.
    expect(await cachedCredential("k", loaded("during"))).toBe("during");
    expect(await cachedCredential("k", loaded("still during"))).toBe("still during");
    endChange(change);
    expect(await cachedCredential("k", loaded("after commit"))).toBe("after commit");
    const misses = credentialCacheStats().misses;
    expect(await cachedCredential("k", loaded("not loaded"))).toBe("after commit");
    expect(credentialCacheStats().misses).toBe(misses);
  });

  it("keeps other tags cacheable during a change, and a failed lookup is not stored", async () => {
    beginChange(["token:a"], 30_000);
    expect(await cachedCredential("other", loaded("b", ["token:b"]))).toBe("b");
    expect(await cachedCredential("other", loaded("b2", ["token:b"]))).toBe("b");
    expect(await cachedCredential("missing", async () => null)).toBeNull();
    expect(await cachedCredential("missing", loaded("now", ["token:c"]))).toBe("now");
  });
});
