/**
 * Structured logs for the functions: one JSON object per line, scoped by fields such as
 * `{component, message_id, container_id}`. Never pass secrets (tokens, env values).
 */
export type LogFields = Record<string, unknown>;

export interface Log {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  with(fields: LogFields): Log;
}

export function createLog(scope: LogFields = {}, write: (line: string) => void = (l) => console.log(l)): Log {
  const emit = (level: string, message: string, fields?: LogFields) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, ...scope, message, ...fields }));
  return {
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    with: (fields) => createLog({ ...scope, ...fields }, write),
  };
}

export const silentLog: Log = createLog({}, () => {});
