// The local Railway itself: Railway's error shapes, its state rules, service endpoints and the control API.
import { describe, expect, it } from "vitest";
import { useLocalRailway } from "./local-railway-fixture.ts";

const local = useLocalRailway();
const control = local.controlResponse;

async function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = { authorization: `Bearer ${local.railway.token}` }) {
  const response = await fetch(local.railway.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

async function createService(image: string | null = "img:1", variables: Record<string, string> = {}) {
  const { body } = await gql("mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { id } }", {
    input: { projectId: local.railway.projectId, environmentId: local.railway.environmentId, name: "svc", ...(image ? { source: { image } } : {}), variables },
  });
  return body.data.serviceCreate.id as string;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition not reached");
}

const deploymentsOf = async (serviceId: string) =>
  (await control("/state")).body.deployments.filter((d: { serviceId: string }) => d.serviceId === serviceId) as Array<{ id: string; status: string }>;


describe("GraphQL endpoint", () => {
  it("refuses a document Railway's schema would refuse with 400 and GRAPHQL_VALIDATION_FAILED", async () => {
    const { status, body } = await gql("mutation { serviceInstanceDeployV2(serviceId: \"s\") }");
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(body.errors?.[0]?.message).toMatch(/environmentId/);
  });

  it("refuses a document that does not parse with GRAPHQL_PARSE_FAILED", async () => {
    const { status, body } = await gql("query {");
    expect([status, body.errors?.[0]?.extensions?.code]).toEqual([400, "GRAPHQL_PARSE_FAILED"]);
  });

  it("answers a bad token with 'Not Authorized' in errors[] and HTTP 200, and accepts a project token", async () => {
    const bad = await gql("{ deployment(id: \"x\") { id } }", {}, { authorization: "Bearer nope" });
    expect([bad.status, bad.body.errors?.[0]?.message, bad.body.data]).toEqual([200, "Not Authorized", null]);
    const project = await gql("{ deployment(id: \"x\") { id } }", {}, { "project-access-token": local.railway.token });
    expect(project.body.errors?.[0]?.message).toBe("Deployment not found");
  });

  it("refuses variables that are not a map of strings", async () => {
    const { body } = await gql("mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { id } }", {
      input: { projectId: local.railway.projectId, variables: { PORT: 8080 } },
    });
    expect(body.errors?.[0]?.message).toMatch(/Invalid variables/);
  });

  it("answers 'Project not found' for another project", async () => {
    const { body } = await gql("{ project(id: \"other\") { id } }");
    expect(body.errors?.[0]?.message).toBe("Project not found");
  });
});

describe("state", () => {
  it("deploys a service created from an image at once, and one created empty only when asked", async () => {
    const fromImage = await createService("img:1");
    const empty = await createService(null);
    await until(async () => (await deploymentsOf(fromImage))[0]?.status === "SUCCESS");
    expect(await deploymentsOf(empty)).toEqual([]);
  });

  it("redeploys on a variable change unless skipDeploys, and keeps values out of /state", async () => {
    const id = await createService("img:1", { A: "first-secret" });
    const upsert = (skipDeploys: boolean) =>
      gql("mutation($input: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $input) }", {
        input: { projectId: local.railway.projectId, environmentId: local.railway.environmentId, serviceId: id, variables: { B: "second-secret" }, skipDeploys },
      });
    await upsert(true);
    expect(await deploymentsOf(id)).toHaveLength(1);
    await upsert(false);
    expect(await deploymentsOf(id)).toHaveLength(2);
    const state = JSON.stringify((await control("/state")).body);
    expect(state).toContain('"variables":["A","B"]');
    expect(state).not.toMatch(/first-secret|second-secret/);
  });

  it("gives each live service an endpoint: 502 before, /health 200 by default, the control API's status and delay after", async () => {
    const id = await createService(null);
    const { body } = await gql("mutation($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) { domain } }", {
      input: { serviceId: id, environmentId: local.railway.environmentId },
    });
    const health = `http://${body.data.serviceDomainCreate.domain}/health`;
    expect((await fetch(health)).status).toBe(502);
    await gql("mutation($id: String!, $e: String!) { serviceInstanceUpdate(serviceId: $id, environmentId: $e, input: {source: {image: \"img:2\"}}) }", { id, e: local.railway.environmentId });
    await gql("mutation($id: String!, $e: String!) { serviceInstanceDeployV2(serviceId: $id, environmentId: $e) }", { id, e: local.railway.environmentId });
    await until(async () => (await fetch(health)).status === 200);
    expect((await control(`/services/${id}/health`, { status: 503 })).status).toBe(200);
    expect((await fetch(health)).status).toBe(503);
    await control(`/services/svc/health`, { status: 200, delayMs: 5_000 }); // by name
    await expect(fetch(health, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
  });

  it("refuses a second generated domain for a service", async () => {
    const id = await createService(null);
    const create = () => gql("mutation($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) { id } }", { input: { serviceId: id, environmentId: local.railway.environmentId } });
    await create();
    expect((await create()).body.errors?.[0]?.message).toMatch(/already has a service domain/);
  });

  it("ends the next deployment CRASHED on demand", async () => {
    await control("/deployments/fail-next", { status: "CRASHED" });
    const id = await createService("img:1");
    await until(async () => (await deploymentsOf(id))[0]?.status === "CRASHED");
  });

  it("sums metrics over services when not grouped by SERVICE_ID", async () => {
    const a = await createService("img:1");
    await until(async () => (await deploymentsOf(a))[0]?.status === "SUCCESS");
    await control(`/services/${a}/metrics`, { cpu: 0.25 });
    const { body } = await gql("query($p: String!, $s: DateTime!) { metrics(projectId: $p, measurements: [CPU_USAGE], startDate: $s) { tags { serviceId } values { value } } }", {
      p: local.railway.projectId,
      s: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(body.data.metrics).toHaveLength(1);
    expect(body.data.metrics[0].tags.serviceId).toBeNull();
    expect(body.data.metrics[0].values[0].value).toBe(0.25);
  });
});

describe("control API", () => {
  it("answers an unknown route with 404 and invalid input with 400", async () => {
    expect((await control("/nope", {})).status).toBe(404);
    expect((await control("/faults", { status: 200 })).status).toBe(400);
    expect((await control("/faults", "{not json")).status).toBe(400);
    expect((await control("/services/missing/health", { status: 500 })).status).toBe(404);
  });

  it("logs requests and forgets them on reset", async () => {
    await gql("{ deployment(id: \"x\") { id } }");
    const log = (await control("/requests")).body;
    expect(log).toEqual([expect.objectContaining({ fields: ["deployment"], status: 200, outcome: "error" })]);
    await control("/reset", {});
    expect((await control("/requests")).body).toEqual([]);
  });
});
