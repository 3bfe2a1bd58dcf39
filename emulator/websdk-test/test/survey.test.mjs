// The official CXone web SDK 2.2.0 against the real cxone-emulator binary on `chat_survey`
// (brand 1000): a channel with a pre-chat form whose `email` field is required.
//
// What this proves: channel info carries the pre-chat form; a first message without the
// required field is refused and the SDK rejects with `SendMessageFailedError`; contact custom
// fields set on the thread before the contact exists travel with the first message
// (`consumerContact.customFields`), which the emulator then accepts and the agent answers.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { startEmulator } from '../lib/emulator.mjs';
import {
  WebSdk,
  assertNoSdkErrors,
  createChat,
  disconnect,
  receivedWs,
  recordThreadEvents,
  within,
} from '../lib/harness.mjs';

const CHANNEL = 'chat_survey';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-survey-${randomUUID()}`;

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

test('1. channel info carries the pre-chat form', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  const fields = info.preContactForm.customFields.map((f) => [f.definition.ident, f.isRequired]);
  assert.deepEqual(fields, [
    ['email', true],
    ['department', false],
  ]);
  await within(10_000, 'connect()', chat.sdk.connect());
  await within(10_000, 'authorize()', chat.sdk.authorize());
});

test('2. the first message needs the required field, sent with it', STEP, async () => {
  const threadId = randomUUID();
  const thread = chat.sdk.getThread(threadId);
  const events = recordThreadEvents(thread);

  await assert.rejects(
    within(10_000, 'sendTextMessage() without e-mail', thread.sendTextMessage('Hi')),
    (error) => {
      assert.ok(error instanceof WebSdk.SendMessageFailedError, `${error}`);
      assert.equal(error.data.error.errorCode, 'SendingMessageFailed');
      return true;
    },
  );

  // Before the contact exists the SDK keeps the fields and sends them with the first message.
  await within(
    10_000,
    'setCustomFields()',
    thread.setCustomFields({ email: 'ada@example.com', department: 'sales' }),
  );
  const text = 'Hi, with my e-mail this time';
  await within(10_000, 'sendTextMessage()', thread.sendTextMessage(text));
  const reply = await events.waitFor(
    'the agent reply',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
  );
  assert.equal(reply.detail.data.message.messageContent.payload.text, `You said: ${text}`);

  const sends = await receivedWs(emu, 'SendMessage');
  assert.equal(sends.length, 2);
  assert.deepEqual(
    sends[1].payload.data.consumerContact.customFields.map((f) => [f.ident, f.value]).sort(),
    [
      ['department', 'sales'],
      ['email', 'ada@example.com'],
    ],
  );
  const [stored] = (await emu.admin('GET', 'threads')).filter((t) => t.threadId === threadId);
  assert.ok(
    stored.contact.customFields.some((f) => f.ident === 'email' && f.value === 'ada@example.com'),
  );
});

test('3. nothing else went wrong', STEP, () => {
  assertNoSdkErrors(chat.errors);
});
