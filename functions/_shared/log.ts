/**
 * Structured logging, one implementation for the functions, the device agent and the local runtime:
 * one JSON object per line, scoped by fields such as `{component, message_id, container_id}`.
 * Never pass secrets (tokens, env values) as fields. Runtime-neutral: the sink decides where lines go
 * (console.log by default, which Supabase's edge runtime collects; the local runtime writes stderr).
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `fields` besides this one's scope. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(scope: LogFields = {}, sink: LogSink = (line) => console.log(line), now: () => Date = () => new Date()): Logger {
  const write = (level: string, message: string, fields?: LogFields) =>
    sink(JSON.stringify({ time: now().toISOString(), level, ...scope, message, ...fields }));
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...scope, ...fields }, sink, now),
  };
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({}, () => {});
