import { describe, expect, it } from "vitest";
import { isRailwayError } from "../../../functions/_shared/railway/errors.ts";
import { parseCpu, parseMemoryGB, parseResources } from "../../../functions/_shared/railway/resources.ts";

describe("parseCpu", () => {
  it.each([
    ["0.5", 0.5],
    ["2", 2],
    ["500m", 0.5],
    [" 1.25 ", 1.25],
  ])("%s → %d vCPU", (input, expected) => {
    expect(parseCpu(input)).toBe(expected);
  });

  it.each(["", "0", "-1", "half", "0.5 cores", "1e3"])("refuses %j with invalid_input", (input) => {
    expect(() => parseCpu(input)).toThrow(expect.objectContaining({ code: "invalid_input" }));
  });
});

describe("parseMemoryGB", () => {
  it.each([
    ["512Mi", 0.5],
    ["1Gi", 1],
    ["1024Mi", 1],
    ["1048576Ki", 1],
    ["2G", 2],
    ["256M", 0.256],
    ["500000K", 0.5],
  ])("%s → %d GB", (input, expected) => {
    expect(parseMemoryGB(input)).toBeCloseTo(expected, 12);
  });

  it.each(["512", "512MB", "0Mi", "1Ti", "mi", "-1Gi"])("refuses %j with invalid_input", (input) => {
    let caught: unknown;
    try {
      parseMemoryGB(input);
    } catch (error) {
      caught = error;
    }
    expect(isRailwayError(caught, "invalid_input")).toBe(true);
  });
});

describe("parseResources", () => {
  it("maps the seed's strings to Railway's limits and leaves absent ones out", () => {
    expect(parseResources({ cpu: "0.5", memory: "512Mi" })).toEqual({ vCPUs: 0.5, memoryGB: 0.5 });
    expect(parseResources({ memory: "1Gi" })).toEqual({ memoryGB: 1 });
    expect(parseResources({})).toEqual({});
  });
});
