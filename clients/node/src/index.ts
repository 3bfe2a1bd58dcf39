// cxone-chat: a client of cxone-chatd over its local socket (NDJSON JSON-RPC 2.0).
export * from "./generated.js";
export * from "./errors.js";
export { Client, EventStream, defaultSocket } from "./client.js";
export type { ClientOptions, EventsOptions } from "./client.js";
