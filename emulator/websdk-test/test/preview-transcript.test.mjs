// The official CXone web SDK 2.2.0 against the real cxone-emulator binary on the messaging
// channel `chat_single`: the two thread flows the other checks leave out.
//
// What this proves, through the SDK's public API:
//   1. a conversation starts (`sendTextMessage()`, the agent's reply) and names its contact;
//   2. the customer's typing preview (`sendMessagePreview()`, and `keystrokeForPreview()` after
//      its timeout) reaches the emulator as `SendMessagePreview` frames with the text so far;
//   3. `sendTranscript()` resolves and the emulator records the address for the contact; an
//      address that is not one is refused with the back end's `SendingTranscriptFailed`, which
//      the SDK resolves with (it does not reject on a transcript's error);
//   4. `sendOutboundMessage()` (a message recorded as sent to the customer, as a proactive
//      welcome is) is acknowledged and comes back as an outbound message of the thread;
// and that the SDK reported no error through `onError` on the way.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { startEmulator } from '../lib/emulator.mjs';
import {
  assertNoSdkErrors,
  createChat,
  disconnect,
  receivedWs,
  recordThreadEvents,
  within,
} from '../lib/harness.mjs';

const CHANNEL = 'chat_single';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-preview-${randomUUID()}`;
const threadId = randomUUID();
let thread;
let events;
let contactId;

before(async () => {
  emu = await startEmulator();
  chat = createChat(emu, { channelId: CHANNEL, customerId, customerName: 'Ada Lovelace' });
});

after(async () => {
  if (chat) await disconnect(chat.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test('1. a conversation starts and names its contact', STEP, async () => {
  assert.equal(await within(10_000, 'connect()', chat.sdk.connect()), true);
  await within(10_000, 'authorize()', chat.sdk.authorize());
  thread = chat.sdk.getThread(threadId);
  events = recordThreadEvents(thread);
  await within(10_000, 'sendTextMessage()', thread.sendTextMessage('Where is my parcel?'));
  const created = await events.waitFor('ContactCreated', (e) => e.type === 'ContactCreated');
  contactId = created.detail.data.case.id;
  assert.ok(contactId);
  await events.waitFor(
    'the reply',
    (e) => e.detail?.data?.message?.messageContent?.payload?.text === 'You said: Where is my parcel?',
  );
});

test('2. the typing preview reaches the emulator with the text so far', STEP, async () => {
  await within(10_000, 'sendMessagePreview()', thread.sendMessagePreview('Where is my par'));
  thread.keystrokeForPreview('Where is my parcel, ple', 50);
  const deadline = Date.now() + 10_000;
  let previews = [];
  while (previews.length < 2 && Date.now() < deadline) {
    previews = await receivedWs(emu, 'SendMessagePreview');
    await new Promise((r) => setTimeout(r, 50));
  }
  const texts = previews.map((p) => p.payload.data.messageContent.payload.text);
  assert.deepEqual(texts.slice(0, 2), ['Where is my par', 'Where is my parcel, ple']);
  assert.equal(
    previews[0].payload.data.thread.idOnExternalPlatform.toLowerCase(),
    threadId.toLowerCase(),
  );
  thread.stopTypingForPreview(false);
});

test('3. a transcript is e-mailed; an address that is not one is refused', STEP, async () => {
  await within(
    10_000,
    'sendTranscript()',
    thread.sendTranscript(contactId, 'ada@example.com'),
  );
  const threads = await emu.admin('GET', 'threads');
  const mine = threads.find((t) => t.threadId.toLowerCase() === threadId.toLowerCase());
  assert.deepEqual(mine.contact.transcriptsSentTo, ['ada@example.com']);

  const refused = await within(
    10_000,
    'sendTranscript()',
    thread.sendTranscript(contactId, 'not an address'),
  );
  assert.equal(refused.error?.errorCode, 'SendingTranscriptFailed', JSON.stringify(refused));
  const after = await emu.admin('GET', 'threads');
  assert.deepEqual(
    after.find((t) => t.threadId.toLowerCase() === threadId.toLowerCase()).contact
      .transcriptsSentTo,
    ['ada@example.com'],
  );
});

test('4. an outbound message is recorded and echoed to the thread', STEP, async () => {
  const id = randomUUID();
  await within(
    10_000,
    'sendOutboundMessage()',
    thread.sendOutboundMessage({
      thread: { idOnExternalPlatform: threadId },
      consumerContact: { customFields: [] },
      idOnExternalPlatform: id,
      messageContent: { type: 'TEXT', payload: { text: 'Welcome back, Ada!' } },
      attachments: [],
      browserFingerprint: {},
    }),
  );
  const echo = await events.waitFor(
    'the outbound echo',
    (e) => e.detail?.data?.message?.idOnExternalPlatform === id,
  );
  assert.equal(echo.detail.data.message.direction, 'outbound');
  assert.equal(echo.detail.data.message.messageContent.payload.text, 'Welcome back, Ada!');
  assert.equal((await receivedWs(emu, 'SendOutbound')).length, 1);
  assertNoSdkErrors(chat.errors);
});
