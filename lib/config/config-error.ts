/** Raised when configuration is unusable; the message is one line naming the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
