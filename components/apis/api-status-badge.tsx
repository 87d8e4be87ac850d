import { Badge } from "@/components/ui/badge";

/** Active or disabled, and whether it is Keyward's own built-in API. */
export function ApiStatusBadges({ disabled, builtIn }: { disabled: boolean; builtIn: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="good">Active</Badge>}
      {builtIn && <Badge>Built-in</Badge>}
    </span>
  );
}
