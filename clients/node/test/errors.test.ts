// Errors reject with typed errors carrying the daemon's code, message and data.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  CallTimeoutError,
  Client,
  DaemonUnavailableError,
  InvalidParamsError,
  MethodNotFoundError,
  RpcError,
  UnknownSessionError,
} from "../src/index.js";
import { Daemon } from "./harness.js";

let daemon: Daemon;
before(async () => {
  daemon = await Daemon.start();
});
after(() => daemon.stop());

test("daemon errors are typed with code, kind, field and the daemon's message", async () => {
  const chat = await Client.connect(daemon.socket);
  const e = await chat.threadSend({ session: "ghost", threadId: "nope", text: "x" }).catch((e: unknown) => e);
  assert.ok(e instanceof UnknownSessionError, String(e));
  assert.equal(e.code, 3000);
  assert.equal(e.kind, "unknownSession");
  assert.equal(e.retryable, false);
  assert.equal(e.method, "thread.send");
  assert.match(e.rpcMessage, /^No session with this name\./);
  assert.match(e.message, /^thread\.send failed: No session with this name\./);

  const bad = await chat.call("daemon.setLogLevel", { level: "info", bogus: 1 }).catch((e: unknown) => e);
  assert.ok(bad instanceof InvalidParamsError);
  assert.equal(bad.code, -32602);
  assert.equal(bad.field, "bogus");

  const missing = await chat.call("no.such.method").catch((e: unknown) => e);
  assert.ok(missing instanceof MethodNotFoundError && missing instanceof RpcError);
  assert.equal(missing.data.kind, "methodNotFound");
  // Still usable afterwards.
  assert.ok((await chat.daemonInfo()).protocolVersion);
  chat.close();
});

test("a missing daemon says where and how to start it", async () => {
  const socket = join(daemon.dir, "none.sock");
  const e = await Client.connect(socket, { waitMs: 300 }).catch((e: unknown) => e);
  assert.ok(e instanceof DaemonUnavailableError);
  assert.match(e.message, new RegExp(`^daemon not running at ${socket} `));
  assert.match(e.message, /start it with `cxone-chatd --socket/);
});

test("a slow answer is a CallTimeoutError", async () => {
  const chat = await Client.connect(daemon.socket, { timeoutMs: 300 });
  await assert.rejects(chat.eventsPoll({ timeoutMs: 5000 }), (e: unknown) => e instanceof CallTimeoutError && /events\.poll/.test(e.message));
  chat.close();
});
