import { db } from "../lib/db/client.ts";
import { createTestUser, expect, test } from "./fixtures";

// Guarantee: without KEYWARD_TRUSTED_PROXIES, a client cannot choose the address that limits and
// the audit log record, neither with X-Forwarded-For nor with our own internal header.
test("a spoofed X-Forwarded-For or x-keyward-peer is ignored: the audit log records the real peer", async ({
  request,
}) => {
  const user = await createTestUser({ label: "spoofed" });
  const response = await request.post("/api/auth/sign-in/password", {
    data: { email: user.email, password: "not the password at all" },
    headers: { "x-forwarded-for": "6.6.6.6", "x-keyward-peer": "7.7.7.7", "x-real-ip": "8.8.8.8" },
  });
  expect(response.status()).toBe(401);
  const event = await db.auditEvent.findFirst({
    where: { action: "auth.sign_in_failed", targetId: user.id },
    orderBy: { id: "desc" },
  });
  expect(event?.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
});
