import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../edge-agent/config.ts";
import { isAgentError } from "../../../edge-agent/errors.ts";

const required = { SUPABASE_URL: "https://project.supabase.co/", SUPABASE_ANON_KEY: "anon", AGENTIFY_ADVERTISE_ADDRESS: "10.0.0.7" };

describe("loadConfig", () => {
  it("declares every default once", () => {
    expect(loadConfig(required)).toEqual({
      supabase_url: "https://project.supabase.co",
      anon_key: "anon",
      advertise_address: "10.0.0.7",
      credential_file: "/var/lib/agentify-edge/credential.json",
      docker_socket: "/var/run/docker.sock",
      publish_ip: "0.0.0.0",
      health_check_host: "127.0.0.1",
      heartbeat_interval_s: 10,
      poll_interval_s: 60,
      report_interval_s: 30,
      health_timeout_ms: 2000,
      stop_timeout_s: 10,
      backoff_base_ms: 1000,
      backoff_max_ms: 300_000,
    });
  });

  it("reads numbers from env strings, and env wins over the file", () => {
    const config = loadConfig(
      { ...required, AGENTIFY_HEARTBEAT_INTERVAL_S: "5", DOCKER_SOCKET: "/run/podman/podman.sock", AGENTIFY_ENROLLMENT_TOKEN: "" },
      { heartbeat_interval_s: 30, poll_interval_s: 15, enrollment_token: "from-file" },
    );
    expect(config).toMatchObject({ heartbeat_interval_s: 5, poll_interval_s: 15, docker_socket: "/run/podman/podman.sock", enrollment_token: "from-file" });
  });

  it("names every bad key and its env variable, never the value", () => {
    let error: unknown;
    try {
      loadConfig({ SUPABASE_ANON_KEY: "secret-anon", AGENTIFY_HEARTBEAT_INTERVAL_S: "-1", AGENTIFY_PUBLISH_IP: "not-an-ip" });
    } catch (caught) {
      error = caught;
    }
    expect(isAgentError(error, "invalid_config")).toBe(true);
    const message = (error as Error).message;
    for (const name of ["SUPABASE_URL", "AGENTIFY_ADVERTISE_ADDRESS", "AGENTIFY_HEARTBEAT_INTERVAL_S", "AGENTIFY_PUBLISH_IP"]) expect(message).toContain(name);
    expect(message).not.toContain("secret-anon");
  });

  it("refuses a config file that is not an object", () => {
    expect(() => loadConfig(required, ["x"])).toThrow(/JSON object/);
  });

  it("refuses a backoff cap below its base", () => {
    expect(() => loadConfig({ ...required, AGENTIFY_BACKOFF_BASE_MS: "5000", AGENTIFY_BACKOFF_MAX_MS: "1000" })).toThrow(/backoff_max_ms/);
  });
});
