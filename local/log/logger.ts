/**
 * Structured logging: one JSON object per line on stderr, scoped by component.
 * Never pass secrets (keys, tokens, env values) in fields.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => process.stderr.write(line + "\n");

export function createLogger(scope: LogFields, sink: LogSink = stderrSink): Logger {
  const write = (level: string, message: string, fields?: LogFields) =>
    sink(JSON.stringify({ time: new Date().toISOString(), level, ...scope, message, ...fields }));
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...scope, ...fields }, sink),
  };
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({}, () => {});
