// The local Railway's SDL agrees with Railway's published schema: every type, field, argument, input field
// and enum value it declares exists there with the same type, and nothing Railway requires is missing.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  buildSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
} from "graphql";
import { describe, expect, it } from "vitest";
import { sdl } from "../../../local/railway/sdl.ts";

const schemaPath = fileURLToPath(new URL("../../../../shared/railway/schema.json", import.meta.url));
const available = existsSync(schemaPath);
if (!available) console.warn(`local Railway SDL check SKIPPED: Railway's schema is absent at ${schemaPath}`);

type Named = { name: string; type: { toString(): string } };
const required = (x: GraphQLArgument | GraphQLInputField) => isNonNullType(x.type) && x.defaultValue === undefined;

function compareMembers(where: string, ours: readonly Named[], theirs: readonly Named[], problems: string[]): void {
  const byName = new Map(theirs.map((t) => [t.name, t]));
  for (const member of ours) {
    const match = byName.get(member.name);
    if (!match) problems.push(`${where}.${member.name} does not exist on Railway`);
    else if (String(match.type) !== String(member.type)) problems.push(`${where}.${member.name}: ours ${member.type}, Railway's ${match.type}`);
  }
}

function requiredMissing(where: string, ours: readonly Named[], theirs: ReadonlyArray<GraphQLArgument | GraphQLInputField>, problems: string[]): void {
  const names = new Set(ours.map((o) => o.name));
  for (const t of theirs) if (required(t) && !names.has(t.name)) problems.push(`${where}.${t.name} is required by Railway but not declared`);
}

function compareType(ours: GraphQLNamedType, railway: GraphQLSchema, problems: string[]): void {
  const theirs = railway.getType(ours.name);
  if (!theirs) return void problems.push(`type ${ours.name} does not exist on Railway`);
  if (theirs.constructor !== ours.constructor) return void problems.push(`type ${ours.name} is a different kind on Railway`);
  if (isObjectType(ours) && isObjectType(theirs)) {
    const theirFields = theirs.getFields();
    compareMembers(ours.name, Object.values(ours.getFields()), Object.values(theirFields), problems);
    for (const field of Object.values(ours.getFields()) as GraphQLField<unknown, unknown>[]) {
      const theirField = theirFields[field.name];
      if (!theirField) continue;
      compareMembers(`${ours.name}.${field.name}()`, field.args, theirField.args, problems);
      requiredMissing(`${ours.name}.${field.name}()`, field.args, theirField.args, problems);
    }
  }
  if (isInputObjectType(ours) && isInputObjectType(theirs)) {
    compareMembers(ours.name, Object.values(ours.getFields()), Object.values(theirs.getFields()), problems);
    requiredMissing(ours.name, Object.values(ours.getFields()), Object.values(theirs.getFields()), problems);
  }
  if (isEnumType(ours) && isEnumType(theirs)) {
    const values = new Set(theirs.getValues().map((v) => v.name));
    for (const v of ours.getValues()) if (!values.has(v.name)) problems.push(`${ours.name}.${v.name} does not exist on Railway`);
  }
}

function problemsOf(local: GraphQLSchema, railway: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(local.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    compareType(type, railway, problems);
  }
  return problems;
}

describe.skipIf(!available)("local Railway SDL agrees with Railway's schema", () => {
  const railway = () => buildClientSchema((JSON.parse(readFileSync(schemaPath, "utf8")) as { data: Parameters<typeof buildClientSchema>[0] }).data);

  it("declares only what Railway has, with the same types, and every required argument", () => {
    expect(problemsOf(buildSchema(sdl), railway())).toEqual([]);
  });

  it("catches a disagreement (the check can fail)", () => {
    const wrong = buildSchema(`type Query { deployment(id: ID!): Deployment! }
      type Deployment { id: ID! status: String! invented: Int }
      input DeploymentListInput { serviceId: Int }`);
    expect(problemsOf(wrong, railway())).toEqual([
      "Query.deployment().id: ours ID!, Railway's String!",
      "Deployment.status: ours String!, Railway's DeploymentStatus!",
      "Deployment.invented does not exist on Railway",
      "DeploymentListInput.serviceId: ours Int, Railway's String",
    ]);
  });
});
