import { NotFound } from "@/lib/errors/app-error";
import { json, publicRoute } from "@/lib/http/route";

/**
 * The benchmark's floor (npm run bench): the JSON `GET /api/v1/me` returns for a token, with no
 * authentication at all, served by the same server. Off (404) unless KEYWARD_BENCH_FLOOR=1.
 */
export const GET = publicRoute({}, async () => {
  if (process.env.KEYWARD_BENCH_FLOOR !== "1") throw NotFound("page");
  return json({
    kind: "token",
    id: "usr_bench00000001",
    email: "user1@bench1.example",
    name: "Bench User 1",
    permissions: ["users.read"],
    tokenId: "tok_bench0000000000001",
  });
});
