import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deploymentStatuses, isInFlight, meaningOf, statusMeanings } from "../../../functions/_shared/railway/status.ts";

const schemaPath = fileURLToPath(new URL("../../../../shared/railway/schema.json", import.meta.url));
const available = existsSync(schemaPath);
if (!available) console.warn(`status test against Railway's schema SKIPPED: ${schemaPath} is absent`);

describe("DeploymentStatus → container status", () => {
  it.skipIf(!available)("covers exactly the statuses of Railway's DeploymentStatus enum", () => {
    const json = JSON.parse(readFileSync(schemaPath, "utf8")) as {
      data: { __schema: { types: Array<{ name: string; enumValues?: Array<{ name: string }> | null }> } };
    };
    const enumType = json.data.__schema.types.find((t) => t.name === "DeploymentStatus");
    const railway = (enumType?.enumValues ?? []).map((v) => v.name).sort();
    expect(railway.length).toBeGreaterThan(0);
    expect([...deploymentStatuses].sort()).toEqual(railway);
    expect(Object.keys(statusMeanings).sort()).toEqual(railway);
  });

  it("reads the final states as Railway's docs describe them", () => {
    expect(meaningOf("SUCCESS")).toEqual({ container: "running", final: true });
    expect(meaningOf("SLEEPING")).toEqual({ container: "sleeping", final: true });
    expect(meaningOf("FAILED")).toEqual({ container: "failed", final: true });
    expect(meaningOf("CRASHED")).toEqual({ container: "crashed", final: true });
    expect(meaningOf("REMOVED")).toEqual({ container: "stopped", final: true });
    expect(meaningOf("SKIPPED")).toEqual({ container: "stopped", final: true });
  });

  it("treats the way there and waiting as in flight, and nothing else", () => {
    const inFlight = deploymentStatuses.filter(isInFlight).sort();
    expect(inFlight).toEqual(["BUILDING", "DEPLOYING", "INITIALIZING", "NEEDS_APPROVAL", "QUEUED", "WAITING"]);
  });

  it("reports a status it does not know as unknown and not final", () => {
    expect(meaningOf("TELEPORTING")).toEqual({ container: "unknown", final: false });
  });
});
