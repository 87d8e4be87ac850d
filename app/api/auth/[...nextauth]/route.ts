import NextAuth from "next-auth";
import type { NextRequest } from "next/server";

import { authOptions } from "@/lib/auth/auth-options";
import { AppError } from "@/lib/errors/app-error";
import { problemResponse } from "@/lib/http/problem";
import { requestContext } from "@/lib/http/request-context";

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request so that nothing reads configuration while `next build` loads this module.
function handler(req: NextRequest, context: Context) {
  return NextAuth(req, context, authOptions());
}

/**
 * next-auth's own POSTs (the session exchange, sign-out) are urlencoded forms; it fails with a 500
 * on anything else, so other media types get a 415 problem first.
 */
function post(req: NextRequest, context: Context) {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    const error = new AppError(
      "unsupported_media_type",
      "Send this form as application/x-www-form-urlencoded.",
    );
    return problemResponse(error, requestContext(req.headers).requestId);
  }
  return handler(req, context);
}

export { handler as GET, post as POST };
