// protocol/openrpc.json — the published API every client is generated from — is a valid
// OpenRPC 1.4 document: checked against the specification's own meta-schema (npm
// `@open-rpc/spec`), whose `schema` members are JSON Schemas checked against
// `@json-schema-tools/meta-schema`, the meta-schema it refers to.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";

import { Ajv } from "ajv";

import { PACKAGE } from "./harness.js";

const require = createRequire(import.meta.url);
const read = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

function validator(): (doc: unknown) => { ok: boolean; errors: string } {
  const openrpc = read(require.resolve("@open-rpc/spec/1_4/schema.json"));
  const jsonSchema = read(
    join(require.resolve("@json-schema-tools/meta-schema/package.json"), "..", "schema.json"),
  );
  // Both meta-schemas name a `$schema` Ajv does not ship; they are draft-07 in substance.
  delete openrpc.$schema;
  delete jsonSchema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  // The OpenRPC schema refers to the JSON Schema meta-schema with and without a trailing slash.
  ajv.addSchema(jsonSchema);
  ajv.addSchema({ ...structuredClone(jsonSchema), $id: "https://meta.json-schema.tools" });
  const validate = ajv.compile(openrpc);
  return (doc) => {
    const ok = validate(doc) as boolean;
    return { ok, errors: JSON.stringify(validate.errors?.slice(0, 5), null, 1) };
  };
}

const doc = read(join(PACKAGE, "..", "..", "protocol", "openrpc.json"));

test("the OpenRPC document is valid against the OpenRPC 1.4 meta-schema", () => {
  assert.equal(doc.openrpc, "1.4.0");
  const check = validator();
  const result = check(doc);
  assert.ok(result.ok, result.errors);
  // And the check can fail: a method whose params are not a list is refused.
  const broken = structuredClone(doc) as { methods: Array<Record<string, unknown>> };
  broken.methods[0]!.params = "not a list";
  assert.equal(check(broken).ok, false);
});
