import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id at OWASP's minimum recommended cost (19 MiB, 2 iterations, 1 lane).
 * `algorithm: 2` is Algorithm.Argon2id: the package's const enum cannot be read under isolatedModules.
 */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification. Used when the account does not exist, so that
 * response time does not reveal which emails are registered.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("keyward-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
  return false;
}
