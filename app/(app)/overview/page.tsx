import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";

import { DailyChart } from "@/components/overview/daily-chart";
import { RiskFigures, ShareBar, type RiskFigure } from "@/components/overview/risk-figures";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { FigureTable } from "@/components/ui/figure-table";
import { requirePageUser } from "@/lib/http/page";
import type { OverviewResource } from "@/lib/overview/overview-schemas";
import { maySeeOverview, securityOverview } from "@/lib/overview/security-overview";
import type { RiskKey } from "@/lib/overview/risks";

export const metadata: Metadata = { title: "Overview" };

function figures(overview: OverviewResource, keys: RiskKey[]): RiskFigure[] {
  return overview.risks
    .filter((risk) => keys.includes(risk.risk))
    .map((risk) => ({ href: `/overview/risks/${risk.risk}`, label: risk.label, count: risk.count }));
}

function Card({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className={`${card} flex flex-col gap-4`}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

const muted = "text-sm text-slate-600 dark:text-slate-400";

export default async function OverviewPage() {
  const principal = await requirePageUser();
  if (!maySeeOverview(principal)) forbidden();
  const overview = await securityOverview(principal);
  const { mfa, signIns, signingKeys, window } = overview;
  const accounts = figures(overview, [
    "accounts.dormant",
    "accounts.invitation_expired",
    "accounts.disabled_with_credentials",
  ]);
  const credentials = figures(overview, [
    "tokens.never_used",
    "tokens.idle",
    "tokens.no_expiry",
    "tokens.expiring",
    "tokens.secret_old",
    "clients.never_used",
    "clients.idle",
    "clients.no_expiry",
    "clients.expiring",
    "clients.secret_old",
    "clients.orphaned",
  ]);
  const leastPrivilege = figures(overview, ["tokens.over_scoped", "clients.over_scoped"]);
  const days = overview.daily.map((point) => point.day);
  const keyOverdue = signingKeys ? signingKeys.ageDays >= signingKeys.rotationDays : false;

  return (
    <>
      <PageHeader
        title="Overview"
        description={`What is unmanaged, stale or risky, and where to fix it. Idle means unused for ${window.idleDays} days; dormant, no sign-in for ${window.dormantDays} days; secrets are due for rotation at ${window.rotationDays} days (Settings).`}
        actions={
          <Link href="/overview/accepted" className={secondaryLinkButton}>
            Accepted risks
          </Link>
        }
      />
      <p className={`${muted} -mt-4 mb-4`}>
        Counted {formatDate(new Date(overview.generatedAt))} (recounted after any change to a credential, at
        most 30 seconds later otherwise); the lists behind each figure are always current.
      </p>
      <div className="grid gap-6 xl:grid-cols-2">
        {mfa && (
          <Card id="card-mfa" title="MFA">
            <ShareBar
              part={mfa.withFactor}
              whole={mfa.activeUsers}
              label="of active users have a second factor"
            />
            <p className="text-sm">
              <Link
                href="/users?status=active&mfa=no"
                className="text-indigo-700 underline dark:text-indigo-300"
              >
                {mfa.activeUsers - mfa.withFactor} active users without a second factor
              </Link>
            </p>
            <RiskFigures label="MFA gaps" figures={figures(overview, ["mfa.missing"])} />
            <dl className="grid grid-cols-2 gap-2 text-sm">
              <dt className={muted}>Administrators</dt>
              <dd>
                {mfa.administrators} ({mfa.administratorsWithFactor} with MFA)
              </dd>
              <dt className={muted}>Holders of a write permission</dt>
              <dd>
                {mfa.writeHolders} ({mfa.writeHoldersWithFactor} with MFA)
              </dd>
            </dl>
            {mfa.perRole.length > 0 && (
              <FigureTable
                caption="MFA by role"
                columns={["Role", "Active users", "With MFA"]}
                rows={mfa.perRole.map((role) => ({
                  key: role.roleId,
                  heading: (
                    <>
                      <Link
                        href={`/users?status=active&role=${role.roleId}&mfa=no`}
                        className="text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {role.name}
                      </Link>
                      {role.requiresMfa && <span className={muted}> (requires MFA)</span>}
                    </>
                  ),
                  cells: [
                    role.activeUsers,
                    `${role.withFactor}${role.activeUsers > 0 ? ` (${Math.round((role.withFactor / role.activeUsers) * 100)}%)` : ""}`,
                  ],
                }))}
              />
            )}
            {days.length > 0 && overview.daily[0]?.mfaUsers !== undefined && (
              <DailyChart
                id="chart-mfa"
                title="MFA adoption, last 30 days"
                days={days}
                bars={{ label: "Users with MFA", values: overview.daily.map((p) => p.mfaUsers ?? 0) }}
                line={{ label: "Active users", values: overview.daily.map((p) => p.activeUsers ?? 0) }}
              />
            )}
          </Card>
        )}

        {accounts.length > 0 && (
          <Card id="card-accounts" title="Accounts">
            <RiskFigures label="Account risks" figures={accounts} />
          </Card>
        )}

        {(credentials.length > 0 || signingKeys) && (
          <Card id="card-credentials" title="Credentials at risk">
            <RiskFigures label="Credential risks" figures={credentials} />
            {signingKeys && (
              <p className="text-sm">
                Signing keys:{" "}
                {signingKeys.activeSince
                  ? `the oldest active key is ${signingKeys.ageDays} days old (replaced at ${signingKeys.rotationDays}).`
                  : "none yet (the first is made when a token is first signed)."}
                {keyOverdue && (
                  <strong className="ml-1 text-amber-700 dark:text-amber-300">Due for rotation.</strong>
                )}
              </p>
            )}
          </Card>
        )}

        {leastPrivilege.length > 0 && (
          <Card id="card-least-privilege" title="Least privilege">
            <p className={muted}>
              Tokens and clients holding permissions they have not used in {window.idleDays} days: narrow each
              to what it used, and the same secret keeps working for that.
            </p>
            <RiskFigures label="Over-scoped credentials" figures={leastPrivilege} />
          </Card>
        )}

        {signIns && (
          <Card id="card-sign-ins" title="Sign-in health">
            <FigureTable
              caption="Sign-in outcomes"
              columns={["Outcome", "Last 24 hours", "Last 30 days"]}
              rows={(
                [
                  ["Sign-ins", "signIns"],
                  ["Failed sign-ins", "failed"],
                  ["Lockouts", "lockouts"],
                  ["Second-factor failures", "secondFactorFailed"],
                ] as const
              ).map(([label, key]) => ({
                key,
                heading: label,
                cells: [signIns.last24h[key], signIns.last30d[key]],
              }))}
            />
            <div className="grid gap-4 sm:grid-cols-2">
              <Ranking title="Top source addresses (failures, 30 days)" rows={signIns.topSources} />
              <Ranking title="Most targeted accounts (failures, 30 days)" rows={signIns.topAccounts} />
            </div>
            {days.length > 0 && overview.daily[0]?.signIns !== undefined && (
              <DailyChart
                id="chart-sign-ins"
                title="Sign-ins and failures, last 30 days"
                days={days}
                bars={{ label: "Sign-ins", values: overview.daily.map((p) => p.signIns ?? 0) }}
                line={{ label: "Failures", values: overview.daily.map((p) => p.failures ?? 0) }}
              />
            )}
            <h3 className="font-medium">Recent administrative changes</h3>
            {overview.recentChanges && overview.recentChanges.length > 0 ? (
              <ul className="flex flex-col gap-1 text-sm">
                {overview.recentChanges.map((change) => (
                  <li key={change.id}>
                    <Link
                      href={`/audit/${change.id}`}
                      className="text-indigo-700 underline dark:text-indigo-300"
                    >
                      <code>{change.action}</code>
                    </Link>{" "}
                    {change.target && <>on {change.target} </>}
                    by {change.actor ?? "someone"}, {formatDate(new Date(change.occurredAt))}
                  </li>
                ))}
              </ul>
            ) : (
              <p className={muted}>No administrative changes yet.</p>
            )}
          </Card>
        )}
      </div>
    </>
  );
}

function Ranking({ title, rows }: { title: string; rows: { value: string; count: number }[] }) {
  return (
    <div>
      <h3 className="mb-1 text-sm font-medium">{title}</h3>
      {rows.length === 0 ? (
        <p className={muted}>None.</p>
      ) : (
        <ol className="flex flex-col gap-1 text-sm">
          {rows.map((row) => (
            <li key={row.value} className="flex justify-between gap-2">
              <span className="truncate">{row.value}</span>
              <span className="tabular-nums">{row.count}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
