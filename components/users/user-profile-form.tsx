import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

const input =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900";

export function UserProfileForm({
  user,
  action,
}: {
  user: { id: string; name: string; email: string };
  action: Action;
}) {
  return (
    <ActionForm
      action={action}
      hidden={{ userId: user.id }}
      label="Edit profile"
      className="flex max-w-lg flex-col gap-3"
    >
      <label className="flex flex-col gap-1 text-sm font-medium">
        Name
        <input name="name" defaultValue={user.name} required maxLength={100} className={input} />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Email
        <input
          name="email"
          type="email"
          defaultValue={user.email}
          required
          maxLength={254}
          className={input}
        />
      </label>
      <div>
        <SubmitButton variant="secondary">Save profile</SubmitButton>
      </div>
    </ActionForm>
  );
}
