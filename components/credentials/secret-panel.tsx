import { CopyField } from "@/components/ui/copy-field";
import { FormAlert } from "@/components/ui/form-alert";

/** What an action returns when it makes a secret: shown once, by SecretPanel. */
export type ShownSecret = { secret: string; name: string; example: string; note: string };

/** The same for an API client, with the client_id it pairs with. */
export type ClientSecretShown = ShownSecret & { clientId: string };

/** A new secret, shown once: copy button, a ready-to-run example, and why it will not come back. */
export function SecretPanel({
  label,
  secret,
  example,
  note,
}: {
  label: string;
  secret: string;
  example?: string;
  note: string;
}) {
  return (
    <div className="flex flex-col gap-3 rounded-xl border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950/40">
      <FormAlert tone="success">{note}</FormAlert>
      <CopyField label={label} value={secret} />
      {example && <CopyField label="Try it" value={example} />}
    </div>
  );
}
