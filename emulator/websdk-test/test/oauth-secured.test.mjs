// The official CXone web SDK 2.2.0 with `securedSession: 'thirdParty'` against the real
// cxone-emulator binary on `chat_oauth_secure` (brand 1000): third-party OAuth over secured
// sessions.
//
// What this proves: `connect()` exchanges the authorization code at `{authorize}/oauth/token`
// (`thirdParty.grant_type = authorization_code`); the emulator answers with a transaction token,
// the identity the code stands for (`bob:<n>` is customer `oauth-bob`) and a third-party access
// token; the socket opens with the transaction token; every message carries the third-party
// access token (the emulator refuses messages without a valid one) and is answered.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { startEmulator } from '../lib/emulator.mjs';
import {
  WebSdk,
  assertNoSdkErrors,
  createChat,
  disconnect,
  frames,
  receivedWs,
  recordThreadEvents,
  within,
} from '../lib/harness.mjs';

const CHANNEL = 'chat_oauth_secure';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const code = `bob:${randomUUID()}`;

before(async () => {
  emu = await startEmulator();
  // No customerId: with third-party secured sessions the identity comes from the token.
  chat = createChat(emu, {
    channelId: CHANNEL,
    securedSession: WebSdk.SecureSessions.THIRD_PARTY,
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

test('1. connect() exchanges the authorization code for a transaction token', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  assert.equal(info.isAuthorizationEnabled, true);
  assert.equal(info.settings.features.securedSessions, true);

  const from = frames.length;
  assert.equal(await within(10_000, 'connect()', chat.sdk.connect()), true);
  const [tokenRequest] = (await emu.received({ transport: 'rest' })).filter(
    (r) => r.kind === 'POST /oauth/token',
  );
  assert.deepEqual(tokenRequest.body, {
    thirdParty: { authorization_code: code, grant_type: 'authorization_code' },
  });
  const open = await frames.waitFor('the socket to open', (f) => f.dir === 'open', { from });
  assert.ok(new URL(open.args[0]).searchParams.get('transactionToken'));
  assert.equal(chat.sdk.getCustomer().getId(), 'oauth-bob', 'the identity came with the token');
  assert.deepEqual(
    (await emu.admin('GET', 'connections')).map((c) => c.customerId),
    ['oauth-bob'],
  );
});

test('2. messages carry the third-party access token and are answered', STEP, async () => {
  const threadId = randomUUID();
  const thread = chat.sdk.getThread(threadId);
  const events = recordThreadEvents(thread);
  const text = 'Hello as Bob';
  await within(10_000, 'sendTextMessage()', thread.sendTextMessage(text));
  const reply = await events.waitFor(
    'the agent reply',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
  );
  assert.equal(reply.detail.data.message.messageContent.payload.text, `You said: ${text}`);

  const [sent] = await receivedWs(emu, 'SendMessage');
  assert.ok(sent.payload.data.accessToken?.token, 'SendMessage carries the access token');
  assert.equal(sent.payload.consumerIdentity.idOnExternalPlatform, 'oauth-bob');
  assert.deepEqual(await receivedWs(emu, 'AuthorizeCustomer'), []);
});

test('3. nothing went wrong', STEP, () => {
  assertNoSdkErrors(chat.errors);
});
