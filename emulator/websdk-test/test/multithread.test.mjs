// The official CXone web SDK 2.2.0 against the real cxone-emulator binary on the multi-thread
// channel `chat_multi` (brand 1000), legacy authorization.
//
// What this proves: the thread list (`getThreadList()`) is empty for a new customer and lists
// each thread after its first message; two threads are independent (each thread's listeners
// get only that thread's reply); `getMetadata()` returns the last message; `setName()` renames
// and `archive()` archives a thread, as the emulator's state confirms.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { startEmulator } from '../lib/emulator.mjs';
import {
  assertNoSdkErrors,
  createChat,
  disconnect,
  recordThreadEvents,
  within,
} from '../lib/harness.mjs';

const CHANNEL = 'chat_multi';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-multi-${randomUUID()}`;
const threads = [
  { id: randomUUID(), text: 'First topic: billing' },
  { id: randomUUID(), text: 'Second topic: delivery' },
];

before(async () => {
  emu = await startEmulator();
  chat = createChat(emu, { channelId: CHANNEL, customerId });
});

after(async () => {
  if (chat) await disconnect(chat.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test('1. the channel is multi-thread and a new customer has no threads', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  assert.equal(info.settings.hasMultipleThreadsPerEndUser, true);
  await within(10_000, 'connect()', chat.sdk.connect());
  await within(10_000, 'authorize()', chat.sdk.authorize());
  assert.deepEqual(await within(10_000, 'getThreadList()', chat.sdk.getThreadList()), []);
});

test('2. two threads, each answered on its own', STEP, async () => {
  for (const t of threads) {
    t.thread = chat.sdk.getThread(t.id);
    t.events = recordThreadEvents(t.thread);
    await within(10_000, 'sendTextMessage()', t.thread.sendTextMessage(t.text));
  }
  for (const t of threads) {
    const reply = await t.events.waitFor(
      'the agent reply',
      (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
    );
    assert.equal(reply.detail.data.message.messageContent.payload.text, `You said: ${t.text}`);
  }
  for (const t of threads) {
    const texts = t.events
      .filter((e) => e.type === 'MessageCreated')
      .map((e) => e.detail.data.message.messageContent.payload.text);
    assert.deepEqual(
      texts,
      [t.text, `You said: ${t.text}`],
      "only this thread's messages reach its listeners",
    );
  }
  const list = await within(10_000, 'getThreadList()', chat.sdk.getThreadList());
  assert.deepEqual(list.map((t) => t.idOnExternalPlatform).sort(), threads.map((t) => t.id).sort());
  assert.ok(list.every((t) => t.channelId === CHANNEL && t.canAddMoreMessages === true));
});

test('3. metadata, rename and archive', STEP, async () => {
  const [first, second] = threads;
  const metadata = await within(10_000, 'getMetadata()', first.thread.getMetadata());
  assert.equal(metadata.type, 'ThreadMetadataLoaded');
  assert.equal(metadata.data.lastMessage.messageContent.payload.text, `You said: ${first.text}`);

  assert.equal(await within(10_000, 'setName()', first.thread.setName('Billing')), true);
  assert.equal(await within(10_000, 'archive()', second.thread.archive()), true);

  const stored = await emu.admin('GET', 'threads');
  const byId = new Map(stored.map((t) => [t.threadId, t]));
  assert.equal(byId.get(first.id).name, 'Billing');
  assert.equal(byId.get(first.id).canAddMoreMessages, true);
  assert.equal(byId.get(second.id).canAddMoreMessages, false);
  const list = await within(10_000, 'getThreadList()', chat.sdk.getThreadList());
  assert.equal(list.find((t) => t.idOnExternalPlatform === first.id).threadName, 'Billing');
  assert.equal(list.find((t) => t.idOnExternalPlatform === second.id).canAddMoreMessages, false);
});

test('4. nothing went wrong', STEP, () => {
  assertNoSdkErrors(chat.errors);
});
