import { describe, expect, it } from "vitest";
import { addressOf, healthUrlOf, MAX_SERVICE_NAME_LENGTH, serviceName } from "../../../functions/_shared/railway/naming.ts";

const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

describe("serviceName", () => {
  it("is <last segment of agent_id>-<customer_id>", () => {
    expect(serviceName("agent.marketplace.weather-bot", "cust_42")).toBe("weather-bot-cust-42");
    expect(serviceName("agent.agentify.hosting-orchestrator", "ACME")).toBe("hosting-orchestrator-acme");
  });

  it("is DNS-safe for awkward input", () => {
    const name = serviceName("agent.x.Émile_Bot!!", "--Cust.Ω.9--");
    expect(name).toMatch(dnsLabel);
  });

  it("cuts long names to 63 characters and keeps them distinct with a hash", () => {
    const customerA = `${"c".repeat(70)}-a`;
    const customerB = `${"c".repeat(70)}-b`;
    const a = serviceName("agent.marketplace.weather", customerA);
    const b = serviceName("agent.marketplace.weather", customerB);
    expect(a.length).toBeLessThanOrEqual(MAX_SERVICE_NAME_LENGTH);
    expect(a).toMatch(dnsLabel);
    expect(a).not.toBe(b);
    expect(serviceName("agent.marketplace.weather", customerA)).toBe(a);
  });

  it("keeps a name of exactly 63 characters as it is", () => {
    const customer = "c".repeat(MAX_SERVICE_NAME_LENGTH - "weather-".length);
    expect(serviceName("agent.m.weather", customer)).toBe(`weather-${customer}`);
  });

  it("refuses ids without a letter or digit", () => {
    expect(() => serviceName("agent.m.weather", "___")).toThrow(expect.objectContaining({ code: "invalid_input" }));
    expect(() => serviceName("agent.m.", "c1")).toThrow(expect.objectContaining({ code: "invalid_input" }));
  });
});

describe("addresses", () => {
  it("uses https for Railway domains and http for the local Railway's loopback domains", () => {
    expect(addressOf("weather-cust-42.up.railway.app")).toBe("https://weather-cust-42.up.railway.app");
    expect(addressOf("127.0.0.1:41234")).toBe("http://127.0.0.1:41234");
    expect(addressOf("localhost:8080")).toBe("http://localhost:8080");
    expect(addressOf("127.0.0.1.example.com")).toBe("https://127.0.0.1.example.com");
  });

  it("joins the health path with one slash", () => {
    expect(healthUrlOf("https://a.up.railway.app")).toBe("https://a.up.railway.app/health");
    expect(healthUrlOf("https://a.up.railway.app/", "/ready")).toBe("https://a.up.railway.app/ready");
  });
});
