/**
 * What every group of operations gets from the client: the typed GraphQL call, the ids from the config,
 * and the injected clock, sleep and retry pause.
 */
import type { z } from "zod";
import type { RailwayConfig } from "../config.ts";
import type { OperationName } from "../documents.ts";

export interface OperationContext {
  /** Sends one registered document and checks its data with `schema`; `secrets` are redacted from errors. */
  call<T extends z.ZodType>(operation: OperationName, schema: T, variables: Record<string, unknown>, secrets?: readonly string[]): Promise<z.infer<T>>;
  config: RailwayConfig;
  projectId: string;
  environmentId: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Backoff before sending a checked mutation again, given the sends so far. */
  pause: (sends: number) => Promise<void>;
}
