// The official CXone web SDK 2.2.0 against the real cxone-emulator binary on `chat_oauth`
// (brand 1000): third-party OAuth with the legacy WebSocket authorization.
//
// What this proves: `authorize()` sends the authorization code given to the SDK; the emulator
// answers with the identity the code stands for (emulator convention: `alice:<n>` is customer
// `oauth-alice`, Alice Example) and a legacy access token; the SDK then sends that token with
// every message (`data.accessToken`), which the emulator requires, and the agent answers.

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

const CHANNEL = 'chat_oauth';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const code = `alice:${randomUUID()}`;
let accessToken;

before(async () => {
  emu = await startEmulator();
  // The SDK requires a customer id even here; the authorization replaces it.
  chat = createChat(emu, {
    channelId: CHANNEL,
    customerId: 'replaced-by-oauth',
    authorizationCode: code,
  });
});

after(async () => {
  if (chat) await disconnect(chat.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test('1. authorize() with an authorization code logs Alice in', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  assert.equal(info.isAuthorizationEnabled, true);
  assert.equal(info.settings.features.securedSessions, false);
  await within(10_000, 'connect()', chat.sdk.connect());
  const auth = await within(10_000, 'authorize()', chat.sdk.authorize());
  assert.deepEqual(
    [
      auth.consumerIdentity.idOnExternalPlatform,
      auth.consumerIdentity.firstName,
      auth.consumerIdentity.lastName,
    ],
    ['oauth-alice', 'Alice', 'Example'],
  );
  accessToken = auth.accessToken.token;
  assert.ok(accessToken, 'a legacy access token');
  assert.ok(auth.accessToken.expiresIn > 0);

  const [register] = await receivedWs(emu, 'AuthorizeCustomer');
  assert.equal(register.payload.data.authorization.authorizationCode, code);
  assert.equal(chat.sdk.getCustomer().getId(), 'oauth-alice');
});

test('2. messages carry the access token and are answered', STEP, async () => {
  const threadId = randomUUID();
  const thread = chat.sdk.getThread(threadId);
  const events = recordThreadEvents(thread);
  const text = 'Hello as Alice';
  await within(10_000, 'sendTextMessage()', thread.sendTextMessage(text));
  const reply = await events.waitFor(
    'the agent reply',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
  );
  assert.equal(reply.detail.data.message.messageContent.payload.text, `You said: ${text}`);

  const [sent] = await receivedWs(emu, 'SendMessage');
  assert.deepEqual(sent.payload.data.accessToken, { token: accessToken });
  assert.equal(sent.payload.consumerIdentity.idOnExternalPlatform, 'oauth-alice');
  const [stored] = (await emu.admin('GET', 'threads')).filter((t) => t.threadId === threadId);
  assert.equal(stored.customerId, 'oauth-alice');
});

test('3. nothing went wrong', STEP, () => {
  assertNoSdkErrors(chat.errors);
});
