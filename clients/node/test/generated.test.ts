// The types and methods are generated from protocol/openrpc.json and must not drift from it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { Client, ERRORS_BY_CODE, EVENT_KINDS } from "../src/index.js";
import { PACKAGE } from "./harness.js";

const doc = JSON.parse(readFileSync(join(PACKAGE, "..", "..", "protocol", "openrpc.json"), "utf8")) as {
  methods: Array<{ name: string }>;
  components: { errors: Record<string, { code: number }> };
  "x-notifications": Array<{ kinds: Array<{ kind: string }> }>;
};

test("the generated file is up to date", () => {
  // Throws (and fails) when the script exits 1.
  execFileSync(process.execPath, [join(PACKAGE, "scripts", "generate.mjs"), "--check"], { stdio: "pipe" });
});

test("every method, event kind and error of the document is there", () => {
  const camel = (s: string) => s.replace(/\.([a-zA-Z])/g, (_, c: string) => c.toUpperCase());
  for (const m of doc.methods) {
    assert.equal(typeof (Client.prototype as unknown as Record<string, unknown>)[camel(m.name)], "function", m.name);
  }
  assert.deepEqual([...EVENT_KINDS], doc["x-notifications"][0]!.kinds.map((k) => k.kind));
  assert.deepEqual(
    Object.keys(ERRORS_BY_CODE).map(Number).sort(),
    Object.values(doc.components.errors).map((e) => e.code).sort(),
  );
});
