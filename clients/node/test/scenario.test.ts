// The common scenario of every client against the real daemon and emulator: prepare, connect,
// create a thread, send, receive the agent's reply, end the contact.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Client, type Event } from "../src/index.js";
import { Daemon, Emulator } from "./harness.js";

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

type MessageCreated = Extract<Event, { kind: "message.created" }>;
const agentReply =
  (threadId: string) =>
  (e: Event): e is MessageCreated =>
    e.kind === "message.created" &&
    e.data.message.threadId === threadId &&
    e.data.message.direction === "outbound" &&
    e.data.message.author?.type === "agent";

test("the common scenario with promises and an async iterator", async () => {
  const chat = await Client.connect(daemon.socket);
  const events = chat.events({ session: "node" });
  await events.subscribe();
  const state = await chat.sessionPrepare({
    session: "node",
    environment: emulator.environment(),
    brandId: 1000,
    channelId: "chat_live",
    customer: { id: "node-ada", firstName: "Ada" },
  });
  assert.equal(state.state, "prepared");
  assert.equal(state.mode, "livechat");
  assert.equal((await chat.sessionConnect({ session: "node" })).state, "ready");
  const thread = await chat.threadsCreate({ session: "node" });
  const sent = await chat.threadSend({ session: "node", threadId: thread.id, text: "hello from node" });
  assert.equal(sent.direction, "inbound");
  assert.equal(sent.text, "hello from node");
  const reply = await events.waitFor(agentReply(thread.id), 15_000);
  assert.equal(reply.data.message.text, "You said: hello from node");
  assert.equal(reply.session, "node");
  await chat.threadEndContact({ session: "node", threadId: thread.id });
  const closed = await events.waitFor((e) => e.kind === "contact.status" && e.data.status === "closed", 15_000);
  assert.equal(closed.kind === "contact.status" && closed.data.threadId, thread.id);
  assert.equal((await chat.threadsGet({ session: "node", threadId: thread.id })).thread.state, "closed");
  chat.close();
});

test("the same events reach an EventEmitter listener", async () => {
  const chat = await Client.connect(daemon.socket);
  const events = chat.events({ session: "emitter" });
  const seen: string[] = [];
  const reply = new Promise<MessageCreated>((resolve) =>
    events.on("message.created", (e: MessageCreated) => {
      seen.push(e.data.message.text);
      if (e.data.message.author?.type === "agent") resolve(e);
    }),
  );
  await events.subscribe();
  await chat.sessionPrepare({ session: "emitter", environment: emulator.environment(), brandId: 1000, channelId: "chat_single" });
  await chat.sessionConnect({ session: "emitter" });
  const thread = await chat.threadsCreate({ session: "emitter" });
  await chat.threadSend({ session: "emitter", threadId: thread.id, text: "ping" });
  const e = await reply;
  assert.equal(e.data.message.text, "You said: ping");
  assert.ok(seen.includes("ping"), JSON.stringify(seen));
  chat.close();
});
