#!/usr/bin/env node
// Generates src/generated.ts from the published API, protocol/openrpc.json: a TypeScript type for
// every schema, the params and result of every method, one method per API method (with the
// document's summary and description as JSDoc), the event kinds with their data, and one error
// class per error code.
//
//   node scripts/generate.mjs          rewrite the file
//   node scripts/generate.mjs --check  exit 1 if the committed file is stale (the tests run this)

import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const openrpcPath = join(here, "..", "..", "..", "protocol", "openrpc.json");
const target = join(here, "..", "src", "generated.ts");

const doc = JSON.parse(readFileSync(openrpcPath, "utf8"));
const schemas = doc.components.schemas;

const pascal = (s) => s.replace(/(^|[._-])([a-zA-Z])/g, (_, __, c) => c.toUpperCase());
const camel = (s) => {
  const p = pascal(s);
  return p[0].toLowerCase() + p.slice(1);
};
const errorClass = (kind) =>
  kind === "timeout" ? "OperationTimeoutError" : pascal(kind).endsWith("Error") ? pascal(kind) : `${pascal(kind)}Error`;
const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

function doccomment(lines, indent) {
  const text = lines.join("\n").replace(/\*\//g, "*\\/").split("\n");
  return `${indent}/**\n${text.map((l) => `${indent} *${l ? " " + l : ""}`).join("\n")}\n${indent} */\n`;
}

function wrap(text, width = 96) {
  const out = [];
  for (const para of String(text).split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

function ts(schema, indent = "") {
  if (schema === true || schema === undefined) return "unknown";
  if (schema.$ref) {
    const name = schema.$ref.startsWith("#/components/schemas/") ? schema.$ref.split("/").pop() : null;
    return name ?? "Record<string, unknown>";
  }
  const parts = [];
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    const inner = indent + "  ";
    const fields = Object.entries(schema.properties).map(([k, v]) => {
      const d = v.description ? doccomment(wrap(v.description), inner) : "";
      return `${d}${inner}${key(k)}${required.has(k) ? "" : "?"}: ${ts(v, inner)};\n`;
    });
    parts.push(`{\n${fields.join("")}${indent}}`);
  }
  if (schema.allOf) parts.push(...schema.allOf.map((s) => ts(s, indent)));
  for (const union of [schema.oneOf, schema.anyOf]) {
    if (union) parts.push(`(${union.map((s) => ts(s, indent)).join(" | ")})`);
  }
  const t = schema.type;
  if (t && !schema.properties) {
    const one = (x) => {
      switch (x) {
        case "string":
          return "string";
        case "integer":
        case "number":
          return "number";
        case "boolean":
          return "boolean";
        case "null":
          return "null";
        case "array":
          return `${wrapUnion(ts(schema.items, indent))}[]`;
        case "object":
          return schema.additionalProperties && schema.additionalProperties !== true
            ? `Record<string, ${ts(schema.additionalProperties, indent)}>`
            : "Record<string, unknown>";
        default:
          return "unknown";
      }
    };
    const types = Array.isArray(t) ? t : [t];
    // A typed schema that also has oneOf/anyOf: those already say it.
    if (!(schema.oneOf || schema.anyOf) || types.includes("null")) {
      parts.push(types.length > 1 ? `(${types.map(one).join(" | ")})` : one(types[0]));
    }
  }
  if (parts.length === 0) return "unknown";
  return parts.join(" & ");
}

const wrapUnion = (t) => (t.includes("|") || t.includes("&") ? `(${t})` : t);

const out = [];
out.push(
  "// The local API of cxone-chatd as TypeScript, generated from protocol/openrpc.json by",
  "// scripts/generate.mjs. Do not edit: run `npm run generate` (the tests fail when it is stale).",
  "/* eslint-disable */",
  "",
  'import { RpcError } from "./errors.js";',
  "",
  `/** The version of the OpenRPC document this file was generated from. */`,
  `export const API_VERSION = ${JSON.stringify(doc.info.version)};`,
  "",
);

for (const [name, schema] of Object.entries(schemas)) {
  const d = schema.description ? doccomment(wrap(schema.description), "") : "";
  out.push(`${d}export type ${name} = ${ts(schema)};`, "");
}

// Methods: params and result types, then the class.
const methodLines = [];
for (const m of doc.methods) {
  const base = pascal(m.name);
  const params = {
    type: "object",
    properties: Object.fromEntries(m.params.map((p) => [p.name, { ...p.schema, description: p.description }])),
    required: m.params.filter((p) => p.required).map((p) => p.name),
  };
  out.push(`/** The params of \`${m.name}\`. */`);
  out.push(`export type ${base}Params = ${m.params.length ? ts(params) : "Record<string, never>"};`, "");
  // Where the document names the result type after the method already, that name is used.
  if (!(`${base}Result` in schemas)) {
    out.push(`/** The result of \`${m.name}\`. */`, `export type ${base}Result = ${ts(m.result.schema)};`, "");
  }
  const optional = !m.params.some((p) => p.required);
  const lines = [m.summary ?? m.name];
  if (m.description) lines.push("", ...wrap(m.description, 92));
  for (const p of m.params) lines.push(`@param params.${p.name} ${p.description ?? ""}`.trim());
  for (const e of m.errors ?? []) lines.push(`@throws {${errorClass(e.data.kind)}} ${e.code} ${e.data.kind}`);
  methodLines.push(
    doccomment(lines, "  ") +
      `  ${camel(m.name)}(params: ${base}Params${optional ? " = {}" : ""}): Promise<${base}Result> {\n` +
      `    return this.request(${JSON.stringify(m.name)}, params) as Promise<${base}Result>;\n  }\n`,
  );
}
out.push(
  "/** Every method of the API, one per API method, named after it in camelCase (`thread.send` → `threadSend`). */",
  "export abstract class Methods {",
  "  /** Sends one request and resolves with its result; the client implements it. */",
  "  protected abstract request(method: string, params: object): Promise<unknown>;",
  "",
  methodLines.join("\n").trimEnd(),
  "}",
  "",
);

// Events.
const notif = doc["x-notifications"][0];
out.push("/** The data of each event kind. */", "export interface EventDataMap {");
for (const k of notif.kinds) out.push(doccomment(wrap(k.summary), "  ").trimEnd(), `  ${JSON.stringify(k.kind)}: ${ts(k.data)};`);
out.push("}", "");
out.push(
  "/** Every event kind, as listed in the document. */",
  `export const EVENT_KINDS = ${JSON.stringify(notif.kinds.map((k) => k.kind))} as const;`,
  "",
);

// Errors.
const errors = Object.entries(doc.components.errors).sort((a, b) => a[1].code - b[1].code);
for (const [kind, e] of errors) {
  out.push(doccomment([`${e.code} ${kind}.`, "", ...wrap(e.message)], "").trimEnd(), `export class ${errorClass(kind)} extends RpcError {}`, "");
}
out.push(
  "/** The error class of each error code of the API. */",
  "export const ERRORS_BY_CODE: Record<number, typeof RpcError> = {",
  ...errors.map(([kind, e]) => `  ${JSON.stringify(String(e.code))}: ${errorClass(kind)},`),
  "};",
  "",
);

const text = out.join("\n");
if (process.argv.includes("--check")) {
  if (!existsSync(target) || readFileSync(target, "utf8") !== text) {
    console.error(`${target} is stale: run \`npm run generate\` in clients/node`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
