import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";

import { MintTokenForm } from "@/components/tokens/mint-token-form";
import { TokenActions } from "@/components/tokens/token-actions";
import { TokenTable } from "@/components/tokens/token-table";
import { FilterSelect } from "@/components/ui/filter-select";
import { card, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { permissionCatalog } from "@/lib/apis/permission-catalog";
import { db } from "@/lib/db/client";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { getSettings } from "@/lib/settings/settings";
import { listTokens } from "@/lib/tokens/list-tokens";
import { TOKEN_CATALOG } from "@/lib/tokens/token-catalog";
import { listTokensSchema } from "@/lib/tokens/token-schemas";

import { mintTokenAction, revokeTokenAction, rotateTokenAction, tokenCatalogAction } from "./actions";

export const metadata: Metadata = { title: "API tokens" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TokensPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser();
  const canMint = can(principal, "tokens.create");
  const canSeeAll = can(principal, "tokens.read");
  if (!canMint && !canSeeAll) forbidden();
  const raw = await searchParams;
  const parsed = listTokensSchema.safeParse({ ...raw, scope: canSeeAll ? raw.scope : "mine" });
  const query = parsed.success ? parsed.data : listTokensSchema.parse({});
  const settings = await getSettings(db);
  const mine = await pageData(() => listTokens(principal, { ...query, scope: "mine", userId: undefined }));
  const everyone =
    canSeeAll && query.scope === "all" ? await pageData(() => listTokens(principal, query)) : null;
  const held = [...principal.permissions];
  const catalog = canMint ? await permissionCatalog({ actor: principal, ...TOKEN_CATALOG }) : null;

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Personal tokens act as you, limited to the scopes you choose and to what you may do yourself. They expire; revoke any you no longer use."
        actions={
          canSeeAll ? (
            <Link
              href={query.scope === "all" ? "/tokens" : "/tokens?scope=all"}
              className={secondaryLinkButton}
            >
              {query.scope === "all" ? "Only my tokens" : "Everyone's tokens"}
            </Link>
          ) : undefined
        }
      />

      {everyone ? (
        <section aria-labelledby="all-tokens" className="flex flex-col gap-4">
          <h2 id="all-tokens" className="text-lg font-semibold">
            Everyone’s tokens
          </h2>
          <form className="flex flex-wrap items-end gap-3" aria-label="Filter tokens">
            <input type="hidden" name="scope" value="all" />
            <FilterSelect
              id="status"
              name="status"
              label="Status"
              value={query.status}
              options={[
                ["active", "Active"],
                ["expired", "Expired"],
                ["revoked", "Revoked"],
              ]}
            />
            <button type="submit" className={secondaryLinkButton}>
              Filter
            </button>
          </form>
          {everyone.items.length === 0 ? (
            <p className={card}>No tokens match.</p>
          ) : (
            <TokenTable
              tokens={everyone.items}
              caption="Everyone's tokens"
              showOwner
              actions={(token) =>
                can(principal, "tokens.write") || token.owner.id === principal.userId ? (
                  <TokenActions
                    token={token}
                    canRotate={token.owner.id === principal.userId}
                    rotate={rotateTokenAction}
                    revoke={revokeTokenAction}
                  />
                ) : null
              }
            />
          )}
          {everyone.nextCursor && (
            <Link
              href={`/tokens?scope=all${query.status ? `&status=${query.status}` : ""}&after=${everyone.nextCursor}`}
              className={`${secondaryLinkButton} self-start`}
            >
              Next page
            </Link>
          )}
        </section>
      ) : (
        <div className="flex flex-col gap-8">
          {canMint && (
            <section aria-labelledby="new-token" className={card}>
              <h2 id="new-token" className="mb-4 text-lg font-semibold">
                New token
              </h2>
              <MintTokenForm
                action={mintTokenAction}
                held={held}
                maxDays={settings.tokenMaxLifetimeDays}
                allowNoExpiry={settings.tokenAllowNoExpiry}
                apis={catalog ? { ...catalog, load: tokenCatalogAction } : undefined}
              />
            </section>
          )}
          <section aria-labelledby="my-tokens" className="flex flex-col gap-4">
            <h2 id="my-tokens" className="text-lg font-semibold">
              My tokens
            </h2>
            {mine.items.length === 0 ? (
              <div className={`${card} text-center`}>
                <p className="font-medium">No tokens yet</p>
                <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
                  {canMint
                    ? "Create one above to call the API as yourself, e.g. from a script."
                    : "You may not mint tokens; ask an administrator for the tokens.create permission."}
                </p>
              </div>
            ) : (
              <TokenTable
                tokens={mine.items}
                caption="My tokens"
                actions={(token) => (
                  <TokenActions
                    token={token}
                    canRotate
                    rotate={rotateTokenAction}
                    revoke={revokeTokenAction}
                  />
                )}
              />
            )}
            {mine.nextCursor && (
              <Link href={`/tokens?after=${mine.nextCursor}`} className={`${secondaryLinkButton} self-start`}>
                Next page
              </Link>
            )}
          </section>
        </div>
      )}
    </>
  );
}
