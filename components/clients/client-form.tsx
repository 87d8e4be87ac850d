"use client";

import type { ClientSecretShown } from "@/components/credentials/secret-panel";
import { ApiPermissionPicker, type CatalogLoader } from "@/components/credentials/api-permission-picker";
import { ScopeCheckboxes } from "@/components/credentials/scope-checkboxes";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { CopyField } from "@/components/ui/copy-field";
import { TextField } from "@/components/ui/text-field";
import type { CatalogGroup } from "@/lib/apis/permission-catalog";
import type { ActionState } from "@/lib/http/action";
import type { Permission } from "@/lib/policy/permissions";

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/** Other APIs' permissions: the catalog's first page, the client's allowed ones, the loader. */
export type ClientFormApis = {
  groups: CatalogGroup[];
  nextCursor: string | null;
  chosen: CatalogGroup[];
  load: CatalogLoader;
};

/**
 * Register (with the secret shown once) or edit a client: name, description, allowed scopes, and
 * whether it must prove possession of its key (DPoP) for every token.
 */
export function ClientForm({
  action,
  held,
  client,
  apis,
}: {
  action: Action<ClientSecretShown> | Action<undefined>;
  held: Permission[];
  client?: { id: string; name: string; description: string; scopes: Permission[]; requireDpop: boolean };
  apis?: ClientFormApis;
}) {
  return (
    <ActionForm
      action={action as Action<ClientSecretShown | undefined>}
      hidden={client ? { clientId: client.id } : {}}
      label={client ? `Edit ${client.name}` : "Register a client"}
      className="flex max-w-2xl flex-col gap-4"
      result={(data) =>
        data ? (
          <div className="flex flex-col gap-3">
            <CopyField label="Client ID" value={data.clientId} />
            <SecretPanel label="Client secret" secret={data.secret} example={data.example} note={data.note} />
          </div>
        ) : null
      }
    >
      {(fields) => (
        <>
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            defaultValue={client?.name}
            error={fields.name}
          />
          <TextField
            label="Description"
            name="description"
            maxLength={500}
            defaultValue={client?.description}
            hint="Which service uses it, and who to ask about it."
            error={fields.description}
          />
          <ScopeCheckboxes
            held={held}
            checked={client?.scopes}
            error={fields.scopes}
            legend="Allowed Keyward scopes (a token may ask for any of these)"
          />
          {apis && (
            <ApiPermissionPicker
              groups={apis.groups}
              nextCursor={apis.nextCursor}
              chosen={apis.chosen}
              load={apis.load}
              legend="Allowed permissions of other APIs (one API per token: it asks with resource=the API's identifier)"
              error={fields.apiPermissionIds}
            />
          )}
          <CheckboxField
            name="requireDpop"
            label="Require DPoP (sender-constrained tokens)"
            defaultChecked={client?.requireDpop ?? false}
            hint="RFC 9449: every token request must carry a DPoP proof, and each token is bound to the client's key, so a copied token is useless without its private key. The client's OAuth library must support DPoP (openid-client and oauth4webapi do)."
          />
          <SubmitButton>{client ? "Save client" : "Register client"}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
