import { SecretPanel } from "@/components/credentials/secret-panel";
import { CopyField } from "@/components/ui/copy-field";
import { FormAlert } from "@/components/ui/form-alert";

/** What registering an app (or rotating its secret) shows once. */
export type AppSecretShown = { appId: string; clientId: string; secret: string | null; note: string };

/** The client ID always; a web app's secret once, with why it will not come back. */
export function AppSecret({ shown }: { shown: AppSecretShown }) {
  return (
    <div className="flex flex-col gap-3">
      <CopyField label="Client ID" value={shown.clientId} />
      {shown.secret ? (
        <SecretPanel label="Client secret" secret={shown.secret} note={shown.note} />
      ) : (
        <FormAlert tone="success">{shown.note}</FormAlert>
      )}
      <a
        href={`/apps/${shown.appId}`}
        className="self-start text-sm text-indigo-700 underline dark:text-indigo-400"
      >
        Open the application
      </a>
    </div>
  );
}
