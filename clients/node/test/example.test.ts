// The kiosk example runs to the end against the real daemon and emulator.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { Daemon, Emulator, PACKAGE } from "./harness.js";

let emulator: Emulator;
let daemon: Daemon;
before(async () => {
  emulator = await Emulator.start();
  daemon = await Daemon.start();
});
after(async () => {
  await daemon.stop();
  emulator.stop();
});

test("the kiosk example chats with the agent and ends the contact", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(PACKAGE, "dist", "examples", "kiosk.js"),
      "Where is my order?",
      "--socket",
      daemon.socket,
      "--environment",
      JSON.stringify(emulator.environment()),
    ],
    { timeout: 60_000 },
  );
  const lines = stdout.trim().split("\n");
  assert.equal(lines[0], "you: Where is my order?");
  assert.ok(lines.includes("(you are number 1 in the queue)"), stdout);
  assert.ok(lines.includes("(the agent is typing…)"), stdout);
  assert.ok(lines.includes("Alex Agent: You said: Where is my order?"), stdout);
  assert.equal(lines.at(-1), "(the conversation is closed)");
  assert.ok(lines.indexOf("(you are number 1 in the queue)") < lines.indexOf("Alex Agent: You said: Where is my order?"));
});
