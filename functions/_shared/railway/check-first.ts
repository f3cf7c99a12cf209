/**
 * Sending a non-idempotent mutation again safely: when its first attempt ended with `effect_unknown`, look
 * for its effect; adopt what is found, and send it again only when nothing is there.
 */
import { isEffectUnknown } from "./errors.ts";

export interface CheckFirstOptions<T> {
  /** Sends the mutation once (the transport retries only 429s for it). */
  send: () => Promise<T>;
  /** Looks for the mutation's effect; undefined when it did not happen. */
  find: () => Promise<T | undefined>;
  /** Total sends allowed, the first included. */
  maxAttempts: number;
  /** Wait before sending again, given the number of sends so far. */
  pause: (sends: number) => Promise<void>;
}

export async function sendCheckingFirst<T>(options: CheckFirstOptions<T>): Promise<{ value: T; adopted: boolean }> {
  for (let sends = 1; ; sends++) {
    try {
      return { value: await options.send(), adopted: false };
    } catch (error) {
      if (!isEffectUnknown(error)) throw error;
      const found = await options.find();
      if (found !== undefined) return { value: found, adopted: true };
      if (sends >= options.maxAttempts) throw error;
      await options.pause(sends);
    }
  }
}
