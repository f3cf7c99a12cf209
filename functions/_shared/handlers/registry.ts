import type { IntentName, IntentPayload } from "../protocol/intents.ts";
import type { Handler } from "./context.ts";
import { deployToEdge } from "./deploy-to-edge.ts";
import { deployToRailway } from "./deploy-to-railway.ts";
import { getAddress } from "./get-address.ts";
import { healthCheck } from "./health-check.ts";
import { undeploy } from "./undeploy.ts";

/** One handler per intent of protocol/intents.ts. */
export const handlers: { [I in IntentName]: Handler<IntentPayload<I>> } = {
  deploy_to_railway: deployToRailway,
  deploy_to_edge: deployToEdge,
  get_address: getAddress,
  health_check: healthCheck,
  undeploy,
};
