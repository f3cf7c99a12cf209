import { beginDrain, claimRequests, maxAttempts } from "../db/requests.ts";
import type { Services } from "../handlers/context.ts";
import { processRequest } from "./process-request.ts";

/**
 * The dispatcher of one function instance. `wake()` starts a drain, or — when one runs — asks it to
 * go round once more. A drain resets the wake flag first (so any request inserted from then on wakes
 * us again), then claims batches until none is left, processing up to `concurrency` at once.
 *
 * Invariant: a claimed request is always answered or released (processRequest); if this instance
 * dies mid-drain, the sweeper releases what it held after the dispatch deadline.
 */
export interface DrainerOptions {
  services: Services;
  batchSize?: number;
  concurrency?: number;
  /** How long a drain that emptied the queue waits before its last look at it. Default 200 ms. */
  lingerMs?: number;
}

export interface Drainer {
  wake(): Promise<void>;
  /** Resolves when no drain is running. */
  idle(): Promise<void>;
}

export function createDrainer(o: DrainerOptions): Drainer {
  const batchSize = o.batchSize ?? 50;
  const concurrency = o.concurrency ?? 10;
  const lingerMs = o.lingerMs ?? 200;
  const { services } = o;
  let running: Promise<void> | undefined;
  let again = false;
  /** Ends the current linger early: a wake-up arrived, so the next look happens now. */
  let cutLinger: (() => void) | undefined;
  const linger = () => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, lingerMs);
    cutLinger = () => {
      clearTimeout(timer);
      resolve();
    };
  }).finally(() => { cutLinger = undefined; });

  /** Claims batches until none is left; returns how many requests it processed. */
  async function drainOnce(): Promise<number> {
    await beginDrain(services.sql);
    const attemptsAllowed = await maxAttempts(services.sql);
    let processed = 0;
    for (;;) {
      const batch = await claimRequests(services.sql, batchSize);
      if (batch.length === 0) return processed;
      processed += batch.length;
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const request = batch[next++]!;
          await processRequest(request, services, attemptsAllowed).catch((error: unknown) => {
            // The database failed while answering: the sweeper releases the request after the deadline.
            services.log.error("could not record the outcome of a request", { message_id: request.id, error: String(error) });
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
    }
  }

  // A request whose insert was still uncommitted while this drain reset the wake flag and found the
  // queue empty woke nobody (its trigger saw a wake pending). So after emptying the queue a drain
  // looks once more `lingerMs` later (at once if woken); only a transaction left open longer than
  // that waits for the sweeper.
  async function loop(): Promise<void> {
    let lingered = false;
    for (;;) {
      again = false;
      const processed = await drainOnce();
      if (again) continue;
      if (processed === 0 && lingered) return;
      lingered = true;
      await linger();
    }
  }

  return {
    wake() {
      if (running) {
        again = true;
        cutLinger?.();
        return running;
      }
      running = loop()
        .catch((error: unknown) => services.log.error("drain failed", { error: String(error) }))
        .finally(() => { running = undefined; });
      return running;
    },
    async idle() {
      while (running) await running;
    },
  };
}
