import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { RiskRemedies, type RemedyActions } from "@/components/overview/risk-remedies";
import { DataTable } from "@/components/ui/data-table";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { pageData, requirePageUser } from "@/lib/http/page";
import { mailConfigured } from "@/lib/mail/mailer";
import { listRiskSchema, riskKeySchema } from "@/lib/overview/overview-schemas";
import { listRisk } from "@/lib/overview/risk-lists";
import { RISKS, type RiskItem, type RiskKey } from "@/lib/overview/risks";
import { can } from "@/lib/policy/authorize";
import type { UserPrincipal } from "@/lib/auth/principal";
import { getSettings } from "@/lib/settings/settings";

import { disableClientAction } from "../../../clients/actions";
import { revokeTokenAction } from "../../../tokens/actions";
import { disableUserAction } from "../../../users/actions";
import {
  acceptRiskAction,
  narrowClientAction,
  narrowTokenAction,
  remindOwnerAction,
  setClientSecretExpiryAction,
  setTokenExpiryAction,
} from "../../actions";

type Params = Promise<{ risk: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const parsed = riskKeySchema.safeParse((await params).risk);
  return { title: parsed.success ? RISKS[parsed.data].label : "Not found" };
}

const WRITE = { user: "users.write", token: "tokens.write", client: "clients.write" } as const;

/** The remedies this principal may use on this item (the domain checks again). */
function actionsFor(principal: UserPrincipal, risk: RiskKey, item: RiskItem): RemedyActions {
  const kind = RISKS[risk].targetKind;
  const owns = item.owner?.id === principal.userId;
  const mayWrite = can(principal, WRITE[kind]) || (kind === "token" && owns);
  if (!mayWrite) return {};
  if (kind === "token")
    return {
      revoke: revokeTokenAction,
      set_expiry: setTokenExpiryAction,
      narrow: narrowTokenAction,
      remind: remindOwnerAction,
      accept: acceptRiskAction,
    };
  if (kind === "client")
    return {
      revoke: disableClientAction,
      set_expiry: setClientSecretExpiryAction,
      narrow: narrowClientAction,
      remind: remindOwnerAction,
      accept: acceptRiskAction,
    };
  return { disable: disableUserAction, accept: acceptRiskAction };
}

function itemHref(item: RiskItem): string {
  if (item.targetKind === "user") return `/users/${item.targetId}`;
  if (item.targetKind === "client") return `/clients/${item.targetId}`;
  return item.owner ? `/users/${item.owner.id}` : "/tokens?scope=all";
}

export default async function RiskListPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: SearchParams;
}) {
  const principal = await requirePageUser();
  const parsed = riskKeySchema.safeParse((await params).risk);
  if (!parsed.success) notFound();
  const risk = parsed.data;
  const definition = RISKS[risk];
  const query = listRiskSchema.safeParse(await searchParams);
  const input = query.success ? query.data : listRiskSchema.parse({});
  const page = await pageData(() => listRisk(principal, { risk, ...input }));
  const settings = await getSettings(db);
  const overScoped = risk === "tokens.over_scoped" || risk === "clients.over_scoped";
  const columns = [
    definition.targetKind === "user" ? "User" : "Name",
    ...(definition.targetKind === "user" ? ["Email"] : ["Owner"]),
    definition.atLabel,
    ...(overScoped ? ["Used", "Not used"] : []),
    { label: "Actions", hidden: true as const },
  ];
  // Without SMTP there is no one to remind: the button would only ever say so.
  const remedies = definition.remedies.filter((remedy) => remedy !== "remind" || mailConfigured());

  return (
    <>
      <PageHeader
        title={definition.label}
        description={definition.description}
        breadcrumbs={[{ label: "Overview", href: "/overview" }, { label: definition.label }]}
        actions={
          <a href={`/api/v1/overview/risks/${risk}/export`} className={secondaryLinkButton} download>
            Export CSV
          </a>
        }
      />
      {page.items.length === 0 ? (
        <p className={card}>
          {input.after ? "No more items." : "Nothing on this list: nothing to do here."}{" "}
          <Link href="/overview" className="text-indigo-700 underline dark:text-indigo-300">
            Back to the overview
          </Link>
        </p>
      ) : (
        <DataTable caption={definition.label} columns={columns}>
          {page.items.map((item) => (
            <tr key={item.targetId}>
              <td className="px-4 py-3">
                <Link
                  href={itemHref(item)}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {item.name}
                </Link>
              </td>
              <td className="px-4 py-3">
                {item.targetKind === "user" ? item.owner?.email : (item.owner?.email ?? "No owner")}
              </td>
              <td className="px-4 py-3 whitespace-nowrap">{formatDate(item.at, "Never")}</td>
              {overScoped && (
                <>
                  <td className="px-4 py-3">{item.used?.join(", ") || "—"}</td>
                  <td className="px-4 py-3">{item.unused?.join(", ") || "—"}</td>
                </>
              )}
              <td className="px-4 py-3">
                <RiskRemedies
                  item={item}
                  remedies={remedies}
                  actions={actionsFor(principal, risk, item)}
                  maxExpiryDays={settings.tokenMaxLifetimeDays}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor && (
        <Link
          href={`/overview/risks/${risk}?after=${page.nextCursor}`}
          className={`${secondaryLinkButton} mt-4 self-start`}
        >
          Next page
        </Link>
      )}
    </>
  );
}
