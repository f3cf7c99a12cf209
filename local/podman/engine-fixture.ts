/**
 * A ready-to-use private engine for tests and demos: a podman service in a fresh temporary state folder,
 * the busybox httpd image imported into it, and a Docker API client over its socket. `stop()` removes
 * every container, stops the service and deletes the state folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDockerApi, type DockerApi, type EngineFetch } from "../../edge-agent/docker-api.ts";
import { buildHttpdImage, type HttpdImage } from "./httpd-image.ts";
import { startPodmanService, type PodmanService } from "./podman-service.ts";
import { unixSocketFetch } from "./unix-socket-fetch.ts";

export interface TestEngine {
  service: PodmanService;
  transport: EngineFetch;
  docker: DockerApi;
  httpd: HttpdImage;
  stop(): Promise<void>;
}

export async function startTestEngine(prefix = "agentify-podman-"): Promise<TestEngine> {
  const stateDir = mkdtempSync(join(tmpdir(), prefix));
  let service: PodmanService | undefined;
  try {
    service = await startPodmanService({ stateDir });
    const httpd = buildHttpdImage(service, { workDir: stateDir });
    const transport = unixSocketFetch(service.socketPath);
    const started = service;
    return {
      service,
      transport,
      docker: createDockerApi(transport),
      httpd,
      stop: async () => {
        await started.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await service?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
