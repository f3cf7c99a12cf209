import { describe, expect, it } from "vitest";
import { latestUsage, loadOf } from "../../../functions/_shared/health/usage.ts";

describe("usage from one metrics call", () => {
  it("takes the newest sample of each measurement per service", () => {
    const usage = latestUsage([
      { serviceId: "a", cpu: [{ ts: 100, value: 0.1 }, { ts: 160, value: 0.3 }, { ts: 130, value: 0.2 }], memoryGB: [{ ts: 150, value: 0.25 }] },
      { serviceId: "b", cpu: [], memoryGB: [{ ts: 90, value: 1.5 }] },
      { serviceId: "empty", cpu: [], memoryGB: [] },
    ]);
    expect(usage.get("a")).toEqual({ cpu: 0.3, memoryGB: 0.25, at: new Date(160_000) });
    expect(usage.get("b")).toEqual({ cpu: null, memoryGB: 1.5, at: new Date(90_000) });
    expect(usage.has("empty")).toBe(false);
  });

  it("computes load as the share of the allocated vCPUs", () => {
    expect(loadOf(0.25, 0.5)).toBe(0.5);
    expect(loadOf(0.25, null)).toBe(0.25);
    expect(loadOf(null, 1)).toBeNull();
  });
});
