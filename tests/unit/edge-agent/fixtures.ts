import type { DesiredContainer, DesiredState } from "../../../functions/_shared/edge/desired-state.ts";
import { desiredStateSchema } from "../../../functions/_shared/edge/desired-state.ts";
import { engineSpec } from "../../../edge-agent/engine-spec.ts";
import type { EngineContainer, EngineState } from "../../../edge-agent/engine-types.ts";

export const DEVICE_ID = "6f0c1a52-34d5-4a43-9d4a-2b6f3f1f0a01";
export const ID_A = "0b7a3c1e-1111-4a43-9d4a-2b6f3f1f0a0a";
export const ID_B = "0b7a3c1e-2222-4a43-9d4a-2b6f3f1f0a0b";
export const OPTIONS = { publishIp: "127.0.0.1" };

export function desiredContainer(overrides: Partial<DesiredContainer> = {}): DesiredContainer {
  return {
    container_id: ID_A,
    name: "weather-agent",
    image: "localhost/agentify-httpd:test",
    env: { API_KEY: "s3cret" },
    ports: [{ container_port: 8080, host_port: 18080 }],
    cpu: 0.5,
    memory_mb: 64,
    restart_policy: "unless-stopped",
    health_path: "/health",
    ...overrides,
  };
}

export function desiredState(containers: DesiredContainer[], generation = 1): DesiredState {
  return desiredStateSchema.parse({ device_id: DEVICE_ID, generation, containers });
}

/** The engine container the agent would have created for `container`, in `state`. */
export function engineContainerFor(container: DesiredContainer, state: EngineState, engineId = `e-${container.name}`): EngineContainer {
  const spec = engineSpec(container, OPTIONS);
  return { engine_id: engineId, name: spec.engineName, image: container.image, labels: spec.body.Labels, state };
}
