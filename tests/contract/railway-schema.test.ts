// Every GraphQL document the Railway client can send is one Railway accepts: parsed and validated against
// Railway's published introspection (../shared/railway/schema.json from the project root). The cases come
// from the client's document registry, so a document added there is covered here without editing this file.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildClientSchema, type GraphQLSchema, Kind, type OperationDefinitionNode, parse, validate } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { documents, operationNames } from "../../functions/_shared/railway/documents.ts";

const schemaPath = fileURLToPath(new URL("../../../shared/railway/schema.json", import.meta.url));
const available = existsSync(schemaPath);
if (!available) console.warn(`railway contract test SKIPPED: Railway's schema is absent at ${schemaPath}`);

describe("documents are well formed (no schema needed)", () => {
  it("the registry is not empty", () => {
    expect(operationNames.length).toBeGreaterThan(0);
  });

  it.each(operationNames)("%s holds exactly one operation, named after its registry key, of the declared kind", (name) => {
    const document = documents[name];
    const operations = parse(document.text).definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    expect(operations).toHaveLength(1);
    expect(operations[0]?.name?.value).toBe(name);
    expect(operations[0]?.operation).toBe(document.kind);
    if (document.kind === "query") expect(document.idempotent).toBe(true);
  });
});

describe.skipIf(!available)(`documents validate against Railway's schema (${schemaPath})`, () => {
  let schema: GraphQLSchema;

  beforeAll(() => {
    const json = JSON.parse(readFileSync(schemaPath, "utf8")) as { data: Parameters<typeof buildClientSchema>[0] };
    schema = buildClientSchema(json.data);
  });

  it.each(operationNames)("%s is valid", (name) => {
    const errors = validate(schema, parse(documents[name].text)).map((error) => error.message);
    expect(errors).toEqual([]);
  });

  it("an invalid document is caught (the check can fail)", () => {
    const errors = validate(schema, parse("mutation { serviceInstanceDeployV2(serviceId: 1) { id } }"));
    expect(errors.length).toBeGreaterThan(0);
  });
});
