/**
 * The agent's calls to the orchestrator, authorised with the device credential: fetch the desired state,
 * send a report, send a heartbeat. Results are validated against the shared contract. A refused
 * credential is dropped so the next call tries the next source; every other failure is thrown for the
 * caller's retry policy (the reconciler backs off; the reporter tries again next interval). Offline, nothing
 * here touches the containers: the engine keeps running what runs.
 */
import { desiredStateSchema, type DesiredState } from "../functions/_shared/edge/desired-state.ts";
import { deviceRpcNames, heartbeatResultSchema, type DeviceRpcName, type HeartbeatResult } from "../functions/_shared/edge/device-api.ts";
import type { DeviceReport } from "../functions/_shared/edge/device-report.ts";
import type { CredentialManager } from "./credentials.ts";
import { AgentError, isAgentError } from "./errors.ts";
import type { RpcClient } from "./rpc-client.ts";

export interface OrchestratorApi {
  desiredState(): Promise<DesiredState>;
  report(report: DeviceReport): Promise<void>;
  heartbeat(agentVersion: string): Promise<HeartbeatResult>;
}

export function createOrchestratorApi(rpc: RpcClient, credentials: CredentialManager): OrchestratorApi {
  async function call(name: DeviceRpcName, args: Record<string, unknown>): Promise<unknown> {
    const token = await credentials.token();
    try {
      return await rpc.call(name, args, token);
    } catch (error) {
      if (isAgentError(error, "credential_refused")) credentials.invalidate(token);
      throw error;
    }
  }

  return {
    async desiredState() {
      const parsed = desiredStateSchema.safeParse(await call(deviceRpcNames.desiredState, {}));
      if (!parsed.success) {
        // Issue paths only: the document holds secrets.
        const where = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
        throw new AgentError("invalid_response", `device_desired_state answered an invalid desired state: ${where}`, { operation: deviceRpcNames.desiredState });
      }
      if (credentials.deviceId !== undefined && parsed.data.device_id !== credentials.deviceId) {
        throw new AgentError("invalid_response", "device_desired_state answered the desired state of another device", { operation: deviceRpcNames.desiredState });
      }
      return parsed.data;
    },

    async report(report) {
      await call(deviceRpcNames.report, { report });
    },

    async heartbeat(agentVersion) {
      const parsed = heartbeatResultSchema.safeParse(await call(deviceRpcNames.heartbeat, { agent_version: agentVersion }));
      if (!parsed.success) throw new AgentError("invalid_response", "device_heartbeat answered no desired_generation", { operation: deviceRpcNames.heartbeat });
      return parsed.data;
    },
  };
}
