import { limiter } from "../limits/limiter.ts";

/**
 * Password guessing limits. Attempts are counted before the password is checked (so parallel
 * guesses cannot slip past the count), then given back on success. The account limit is keyed by
 * the normalised email whether or not the account exists, so its answer reveals nothing; it blocks
 * for a while, never for good (ASVS 6.1.1 / 6.3.1).
 */
export const SIGN_IN_PER_ACCOUNT = { name: "signin_account", points: 10, durationSeconds: 15 * 60 } as const;
export const SIGN_IN_PER_IP = { name: "signin_ip", points: 100, durationSeconds: 15 * 60 } as const;

export const accountLimiter = () => limiter(SIGN_IN_PER_ACCOUNT);
export const ipLimiter = () => limiter(SIGN_IN_PER_IP);
