import { limiter } from "../limits/limiter.ts";

/**
 * Password guessing limits. Attempts are counted before the password is checked (so parallel
 * guesses cannot slip past the count), then given back on success. The account limit is keyed by
 * the normalised email whether or not the account exists, so its answer reveals nothing; it blocks
 * for a while, never for good (ASVS 6.1.1 / 6.3.1).
 */
export const SIGN_IN_PER_ACCOUNT = { name: "signin_account", points: 10, durationSeconds: 15 * 60 } as const;
export const SIGN_IN_PER_IP = { name: "signin_ip", points: 100, durationSeconds: 15 * 60 } as const;
/** A browser holding the account's device cookie counts here instead of the account limit. */
export const SIGN_IN_PER_DEVICE = { name: "signin_device", points: 10, durationSeconds: 15 * 60 } as const;

/**
 * A signed-in user proving themselves again (re-authentication, changing the password): keyed by
 * the user, not the email, so a sign-in flood against the address cannot block these.
 */
export const REAUTH_PER_USER = { name: "reauth_user", points: 10, durationSeconds: 15 * 60 } as const;

export const accountLimiter = () => limiter(SIGN_IN_PER_ACCOUNT);
export const reauthLimiter = () => limiter(REAUTH_PER_USER);
export const ipLimiter = () => limiter(SIGN_IN_PER_IP);
export const deviceLimiter = () => limiter(SIGN_IN_PER_DEVICE);
