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
}

export interface Drainer {
  wake(): Promise<void>;
  /** Resolves when no drain is running. */
  idle(): Promise<void>;
}

export function createDrainer(o: DrainerOptions): Drainer {
  const batchSize = o.batchSize ?? 50;
  const concurrency = o.concurrency ?? 10;
  const { services } = o;
  let running: Promise<void> | undefined;
  let again = false;

  async function drainOnce(): Promise<void> {
    await beginDrain(services.sql);
    const attemptsAllowed = await maxAttempts(services.sql);
    for (;;) {
      const batch = await claimRequests(services.sql, batchSize);
      if (batch.length === 0) return;
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

  async function loop(): Promise<void> {
    do {
      again = false;
      await drainOnce();
    } while (again);
  }

  return {
    wake() {
      if (running) {
        again = true;
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
