import { Badge } from "@/components/ui/badge";
import type { ClientStatus } from "@/lib/clients/list-clients";

const TONE = { active: "good", disabled: "bad", orphaned: "warn" } as const;
const LABEL = { active: "active", disabled: "disabled", orphaned: "needs an owner" } as const;

export function ClientStatusBadge({ status }: { status: ClientStatus }) {
  return <Badge tone={TONE[status]}>{LABEL[status]}</Badge>;
}
