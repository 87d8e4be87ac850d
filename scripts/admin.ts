// `npm run admin -- <command>`: break-glass operations for whoever has shell access to the server.
// Each is audited as the operating-system user who ran it.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";

import type { AuditActor } from "../lib/audit/actions.ts";
import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { ConfigError, getConfig, resetConfigForTests } from "../lib/config/env.ts";
import { readSecretsFile, SECRETS_FILE, writeSecretsFile } from "../lib/config/secrets.ts";
import { reencryptSecrets } from "../lib/settings/reencrypt-secrets.ts";
import { db } from "../lib/db/client.ts";
import { AppError } from "../lib/errors/app-error.ts";
import { resetMfaInTx } from "../lib/mfa/reset-user-mfa.ts";
import { ensureBuiltInRoles } from "../lib/roles/ensure-built-in-roles.ts";
import { createFirstAdmin } from "../lib/setup/create-first-admin.ts";
import { emailSchema, nameSchema, newPasswordSchema } from "../lib/users/schemas.ts";
import { setUserStatus } from "../lib/users/set-user-status.ts";
import { mintTokenForUser } from "../lib/tokens/mint-token.ts";
import { mintTokenSchema } from "../lib/tokens/token-schemas.ts";
import { createClientSchema, rotateClientSecretSchema } from "../lib/clients/client-schemas.ts";
import { createClientForUser, rotateClientSecretForOwner } from "../lib/clients/manage-clients.ts";
import { withDatabase } from "./lib/with-database.ts";

const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  create-admin --email EMAIL [--name NAME]   Create an administrator. The password is read from
                                             standard input (piped) or asked for at the terminal.
  disable-user --email EMAIL                 Disable a user and end all their sessions.
  enable-user --email EMAIL                  Enable a disabled user again.
  reset-mfa --email EMAIL                    Remove a user's second factors and recovery codes
                                             (a lost phone) and end their sessions.
  create-token --user EMAIL --scopes LIST [--expires DAYS|YYYY-MM-DD|never] [--name NAME]
                                             Mint a personal API token for a user (provisioning
                                             automation). Scopes are comma- or space-separated and
                                             must be permissions the user holds; the expiry (default
                                             30 days) is capped by the token lifetime setting. The
                                             token is printed once, on standard output.
  create-client --owner EMAIL --name NAME --scopes LIST [--description TEXT]
                                             Register an API client owned by a user (provisioning
                                             automation: an API credential cannot register one).
                                             The owner must hold clients.write and every scope.
                                             The client ID goes to standard error, the secret once
                                             to standard output.
  rotate-client-secret --client CLIENT_ID [--overlap MINUTES]
                                             A new secret for a client, printed once on standard
                                             output. The old one keeps working for the overlap
                                             (default 0: it stops now; at most 10080). Its owner
                                             must still hold clients.write and its scopes.
  rotate-encryption-key                      Re-encrypt every secret at rest (TOTP secrets, signing
                                             keys) under a new key. With keys in the environment, put
                                             the new key in KEYWARD_ENCRYPTION_KEY and the old one in
                                             KEYWARD_ENCRYPTION_KEYS_PREVIOUS first; with generated
                                             keys (the data folder), a new one is generated.
  help, --help                               Show this help.

Uses DATABASE_URL, or the embedded database in the data folder (stop Keyward first).`;

const actor: AuditActor = { kind: "system", display: `cli:${os.userInfo().username}` };

function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  flag: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new AppError("invalid", `${flag}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = "";
    for await (const chunk of process.stdin) data += String(chunk);
    return data.replace(/\r?\n$/, "");
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // Keep the typed password off the screen.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(prompt)) process.stdout.write(prompt);
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stdout.write("\n");
        resolve(answer);
      });
    });
  const first = await ask("Password: ");
  if (first !== (await ask("Repeat the password: ")))
    throw new AppError("invalid", "The two passwords differ.");
  return first;
}

async function userIdByEmail(email: string): Promise<string> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (!user) throw new AppError("not_found", `No user has the email ${email}.`);
  return user.id;
}

async function run(command: string | undefined, values: Record<string, string | undefined>): Promise<void> {
  switch (command) {
    case "create-admin": {
      const email = parse(emailSchema, values.email, "--email");
      const name = parse(nameSchema, values.name ?? "Administrator", "--name");
      const password = parse(newPasswordSchema, await readPassword(), "password");
      await ensureBuiltInRoles(db);
      await db.$transaction((tx) =>
        createFirstAdmin(tx, {
          email,
          name,
          password,
          actor,
          context: SYSTEM_CONTEXT,
          via: "cli",
          onlyIfSetupOpen: false,
        }),
      );
      console.log(`Created the administrator ${email}.`);
      return;
    }
    case "disable-user":
    case "enable-user": {
      const email = parse(emailSchema, values.email, "--email");
      const userId = await userIdByEmail(email);
      const status = command === "disable-user" ? "disabled" : "active";
      await db.$transaction((tx) => setUserStatus(tx, { userId, status, actor, context: SYSTEM_CONTEXT }));
      console.log(`${email} is now ${status === "active" ? "enabled" : "disabled"}.`);
      return;
    }
    case "reset-mfa": {
      const email = parse(emailSchema, values.email, "--email");
      const userId = await userIdByEmail(email);
      await db.$transaction((tx) => resetMfaInTx(tx, { userId, actor, context: SYSTEM_CONTEXT }));
      console.log(
        `${email} has no second factor now; they enroll again at their next sign-in if a role requires it.`,
      );
      return;
    }
    case "create-token": {
      const email = parse(emailSchema, values.user, "--user");
      const ownerId = await userIdByEmail(email);
      const expires = values.expires ?? "30";
      const input = parse(
        mintTokenSchema,
        {
          name: values.name ?? `Provisioned ${new Date().toISOString().slice(0, 10)}`,
          scopes: (values.scopes ?? "").split(/[\s,]+/).filter(Boolean),
          ...(/^\d{4}-\d{2}-\d{2}$/.test(expires)
            ? { expiration: "custom", expiresOn: expires }
            : { expiration: expires }),
        },
        "token",
      );
      const minted = await mintTokenForUser({ ...input, ownerId, actor, context: SYSTEM_CONTEXT });
      // The secret alone on stdout, so that a script can capture it; everything else on stderr.
      console.error(
        `Minted "${minted.name}" for ${email}: scopes ${minted.scopes.join(" ")}, ` +
          `expires ${minted.expiresAt?.toISOString() ?? "never"}. It is shown only now.`,
      );
      console.log(minted.token);
      return;
    }
    case "create-client": {
      const email = parse(emailSchema, values.owner, "--owner");
      const ownerId = await userIdByEmail(email);
      const input = parse(
        createClientSchema,
        {
          name: values.name ?? "",
          description: values.description ?? "",
          scopes: (values.scopes ?? "").split(/[\s,]+/).filter(Boolean),
        },
        "client",
      );
      const created = await createClientForUser({ ...input, ownerId, actor, context: SYSTEM_CONTEXT });
      // As with create-token: the secret alone on stdout, so that a script can capture it.
      console.error(
        `Registered "${input.name}" for ${email}: client ID ${created.clientId}, scopes ${input.scopes.join(" ")}. ` +
          "The secret is shown only now.",
      );
      console.log(created.clientSecret);
      return;
    }
    case "rotate-client-secret": {
      const input = parse(
        rotateClientSecretSchema,
        { clientId: values.client, overlapMinutes: values.overlap ?? "0" },
        "--client/--overlap",
      );
      const rotated = await rotateClientSecretForOwner({ ...input, actor, context: SYSTEM_CONTEXT });
      console.error(
        `New secret for ${input.clientId} (owner ${rotated.ownerEmail}); the previous one ` +
          (rotated.oldSecretExpiresAt
            ? `keeps working until ${rotated.oldSecretExpiresAt.toISOString()}.`
            : "stopped working now.") +
          " The new secret is shown only now.",
      );
      console.log(rotated.clientSecret);
      return;
    }
    case "rotate-encryption-key": {
      const config = getConfig();
      const generated = !process.env.KEYWARD_ENCRYPTION_KEY;
      const file = path.join(config.dataDir, SECRETS_FILE);
      if (generated) {
        // The new key goes first and the old ones stay readable before anything is re-encrypted,
        // so that an interruption leaves every secret readable.
        const stored = readSecretsFile(file);
        const old = [stored.KEYWARD_ENCRYPTION_KEY, stored.KEYWARD_ENCRYPTION_KEYS_PREVIOUS]
          .filter(Boolean)
          .join(",");
        writeSecretsFile(file, {
          ...stored,
          KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
          KEYWARD_ENCRYPTION_KEYS_PREVIOUS: old,
        });
        resetConfigForTests();
      }
      const counts = await reencryptSecrets({
        keyring: getConfig().encryptionKeys,
        actor,
        context: SYSTEM_CONTEXT,
      });
      console.log(
        `Re-encrypted ${counts.totp} authenticator secret(s) and ${counts.signingKeys} signing key(s) under the current key.`,
      );
      if (generated) {
        const { KEYWARD_ENCRYPTION_KEYS_PREVIOUS: _dropped, ...rest } = readSecretsFile(file);
        writeSecretsFile(file, rest);
        console.log(`The new key is in ${file}; the old one is gone. Back that file up with the database.`);
      } else {
        console.log(
          "Every secret is under KEYWARD_ENCRYPTION_KEY now: remove KEYWARD_ENCRYPTION_KEYS_PREVIOUS.",
        );
      }
      return;
    }
    case "help":
    case undefined:
      console.log(USAGE);
      return;
    default:
      throw new AppError("invalid", `Unknown command "${command}".\n\n${USAGE}`);
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      user: { type: "string" },
      scopes: { type: "string" },
      expires: { type: "string" },
      owner: { type: "string" },
      description: { type: "string" },
      client: { type: "string" },
      overlap: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  const { help, ...options } = values;
  // `npm run admin -- --help` is how people ask: the usage, not an error.
  if (command === undefined || command === "help" || help) {
    console.log(USAGE);
    return 0;
  }
  await withDatabase(() => run(command, options), { migrate: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError || error instanceof ConfigError) console.error(error.message);
    else console.error("admin: failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
