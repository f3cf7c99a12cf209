/** An error of the local stack that the CLI prints as a plain message (no stack trace) and exits on. */
export class StackError extends Error {
  constructor(
    /** Stable code, e.g. `port_in_use`, `postgres_missing`, `data_corrupt`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StackError";
  }
}
