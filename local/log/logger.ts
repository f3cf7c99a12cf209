import { createLogger as createSharedLogger, type LogFields, type Logger } from "../../functions/_shared/log.ts";

/**
 * Loggers of the local runtime: the shared structured logger (functions/_shared/log.ts) writing to
 * stderr, since stdout carries the banner and command output.
 */
export type { LogFields, Logger } from "../../functions/_shared/log.ts";
export { silentLogger } from "../../functions/_shared/log.ts";

export function createLogger(scope: LogFields): Logger {
  return createSharedLogger(scope, (line) => process.stderr.write(line + "\n"));
}
