// Event streams survive a daemon restart: they wait, re-subscribe with since, and surface
// events.resyncRequired when the new daemon cannot replay. Calls reconnect by themselves.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { CallTimeoutError, Client, type Event } from "../src/index.js";
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

test("events resume after a daemon restart and surface the resync", async () => {
  const prepare = (session: string) => ({ session, environment: emulator.environment(), brandId: 1000, channelId: "chat_single" });
  const chat = await Client.connect(daemon.socket);
  const events = chat.events({ kinds: ["chat.stateChanged"] });
  const resynced: Event[] = [];
  events.on("resync", (e: Event) => resynced.push(e));
  const first = await events.subscribe();
  await chat.sessionPrepare(prepare("one"));
  const e = await events.next(10_000);
  assert.equal(e?.kind, "chat.stateChanged");
  assert.equal(e?.session, "one");
  assert.equal(e?.epoch, first.epoch);
  // The cursor is the newest event received (the "prepared" one may have followed already).
  assert.equal(events.cursor?.epoch, e?.epoch);
  assert.ok((events.cursor?.seq ?? 0) >= (e?.seq ?? Infinity));

  await daemon.restart();
  const resync = await events.waitFor((e) => e.kind !== "chat.stateChanged" || e.session !== "one", 20_000);
  assert.equal(resync.kind, "events.resyncRequired");
  assert.ok(resync.kind === "events.resyncRequired" && resync.data.reason === "epochChanged");
  assert.notEqual(resync.epoch, first.epoch);
  assert.deepEqual(resynced, [resync]);
  // The calling connection died with the daemon; the next call reconnects.
  await chat.sessionPrepare(prepare("two"));
  const two = await events.waitFor((e) => e.session === "two", 10_000);
  assert.equal(two.kind, "chat.stateChanged");
  assert.equal(two.epoch, resync.epoch);
  chat.close();
});

test("a stream without resume ends when the daemon stops", async () => {
  const chat = await Client.connect(daemon.socket);
  const events = chat.events({ resume: false });
  await events.subscribe();
  const ended = new Promise((resolve) => events.once("end", resolve));
  await daemon.kill();
  await ended;
  assert.equal(await events.next(1000), undefined);
  chat.close();
  await daemon.start();
});

test("since replays what came after an event", async () => {
  const chat = await Client.connect(daemon.socket);
  const live = chat.events({ kinds: ["chat.stateChanged"] });
  await live.subscribe();
  await chat.sessionPrepare({ session: "since", environment: emulator.environment(), brandId: 1000, channelId: "chat_single" });
  const preparing = await live.next(10_000);
  const prepared = await live.next(10_000);
  assert.ok(preparing?.kind === "chat.stateChanged" && prepared?.kind === "chat.stateChanged");
  assert.deepEqual([preparing.data.state, prepared.data.state], ["preparing", "prepared"]);
  // A new stream from the first event replays the second, and only that.
  const replay = chat.events({ kinds: ["chat.stateChanged"], since: { epoch: preparing.epoch, seq: preparing.seq } });
  const again = await replay.next(10_000);
  assert.deepEqual({ ...again, subscription: undefined }, { ...prepared, subscription: undefined });
  await assert.rejects(replay.next(300), (e: unknown) => e instanceof CallTimeoutError);
  chat.close();
});
