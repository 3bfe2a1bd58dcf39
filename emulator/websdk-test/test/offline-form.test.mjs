// The official CXone web SDK 2.2.0 against the real cxone-emulator binary: the offline form of
// the live-chat channel `chat_live` while no agent is available.
//
// What this proves, through the SDK's public API:
//   1. the channel offers the offline form (`liveChatShowOfflineForm`) and, with the contact
//      centre closed, `getChannelAvailability()` says `offline`;
//   2. `sendOfflineMessage()` resolves, and the emulator received the SDK's `SendOfflineMessage`
//      frame with the author's e-mail address and the name split as the SDK splits it;
//   3. a message the back end cannot answer (no e-mail address) is refused, and the SDK rejects
//      with the back end's `SendingOfflineMessageFailed`;
// and that the SDK reported no error through `onError` on the way.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { startEmulator } from '../lib/emulator.mjs';
import { assertNoSdkErrors, createChat, disconnect, receivedWs, within } from '../lib/harness.mjs';

const CHANNEL = 'chat_live';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-offline-${randomUUID()}`;

before(async () => {
  emu = await startEmulator();
  await emu.admin('POST', 'availability', { channelId: CHANNEL, online: false });
  chat = createChat(emu, { channelId: CHANNEL, customerId, customerName: 'Grace Hopper' });
});

after(async () => {
  if (chat) await disconnect(chat.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test('1. the channel offers the offline form and no agent is available', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  assert.equal(info.settings.liveChatShowOfflineForm, true);
  const availability = await within(
    10_000,
    'getChannelAvailability()',
    chat.sdk.getChannelAvailability(),
  );
  assert.equal(availability.status, 'offline');
});

test('2. sendOfflineMessage() leaves the message with the contact centre', STEP, async () => {
  assert.equal(await within(10_000, 'connect()', chat.sdk.connect()), true);
  await within(10_000, 'authorize()', chat.sdk.authorize());
  await within(
    10_000,
    'sendOfflineMessage()',
    chat.sdk.sendOfflineMessage({
      name: 'Grace Brewster Hopper',
      email: 'grace@example.com',
      message: 'Please call me back.',
    }),
  );
  const sent = await receivedWs(emu, 'SendOfflineMessage');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].payload.data.authorCustomerIdentity, {
    idOnExternalPlatform: 'grace@example.com',
    firstName: 'Grace Brewster',
    lastName: 'Hopper',
  });
  assert.equal(sent[0].payload.data.messageContent.payload.text, 'Please call me back.');
});

test('3. a message with no e-mail address to answer is refused', STEP, async () => {
  await assert.rejects(
    within(
      10_000,
      'sendOfflineMessage()',
      chat.sdk.sendOfflineMessage({ name: 'Grace', email: 'no address', message: 'hi' }),
    ),
    (error) => {
      assert.match(error.message, /Send offline message failed/);
      assert.equal(error.data.error.errorCode, 'SendingOfflineMessageFailed', JSON.stringify(error.data));
      return true;
    },
  );
  assertNoSdkErrors(chat.errors);
});
