/**
 * Structured logging for the agent: one JSON object a line, scoped by fields such as
 * `{component, container_id}`. Never pass secrets (tokens, env values) as fields.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(scope: LogFields, sink: LogSink, now: () => Date = () => new Date()): Logger {
  const write = (level: string, message: string, fields?: LogFields) =>
    sink(JSON.stringify({ time: now().toISOString(), level, ...scope, message, ...fields }));
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...scope, ...fields }, sink, now),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({}, () => {});
