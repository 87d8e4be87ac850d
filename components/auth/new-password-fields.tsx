import { TextField } from "@/components/ui/text-field";

/** Choosing a password: the NIST rules in one sentence, and a confirmation field. */
export function NewPasswordFields({
  passwordError,
  confirmError,
  label = "Password",
}: {
  passwordError?: string;
  confirmError?: string;
  label?: string;
}) {
  return (
    <>
      <TextField
        label={label}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters. A passphrase of several words works well."
        error={passwordError}
      />
      <TextField
        label={`Confirm ${label.toLowerCase()}`}
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        error={confirmError}
      />
    </>
  );
}

/** Whether the two password fields of a form differ. */
export function passwordsDiffer(form: FormData): boolean {
  return form.get("password") !== form.get("confirm");
}
