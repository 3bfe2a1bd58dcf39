// The official CXone web SDK 2.2.0 with `securedSession: 'anonymous'` against the real
// cxone-emulator binary, on `chat_secure` (brand 1000): the secured-session flow, where the
// socket is authenticated by a transaction token and no `AuthorizeCustomer` is ever sent.
//
// What this proves:
//   1. channel info says secured sessions are on;
//   2. `connect()` first POSTs `{authorize}/oauth/token` with the customer's identity, then opens
//      the WebSocket with `transactionToken` (and without `customerId`); the emulator accepts
//      the handshake and knows the customer from the token; the heartbeat starts at once;
//   3. recover fails for a new customer, a message creates a contact, is echoed and answered
//      ("You said: …") with assignment and typing in between, all through the SDK's events;
//   4. the conversation can be recovered;
// and, via `GET /admin/received`, what the emulator received (no `AuthorizeCustomer`).

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { startEmulator } from '../lib/emulator.mjs';
import {
  BRAND,
  SDK_VERSION,
  WebSdk,
  assertNoSdkErrors,
  createChat,
  disconnect,
  frames,
  receivedWs,
  recordThreadEvents,
  within,
} from '../lib/harness.mjs';

const CHANNEL = 'chat_secure';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-secure-${randomUUID()}`;
const threadId = randomUUID();
const text = 'Hello over a secured session';
let thread;
let threadEvents;

before(async () => {
  emu = await startEmulator();
  chat = createChat(emu, {
    channelId: CHANNEL,
    customerId,
    securedSession: WebSdk.SecureSessions.ANONYMOUS,
  });
});

after(async () => {
  if (chat) await disconnect(chat.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test('1. the channel uses secured sessions', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  assert.equal(info.settings.features.securedSessions, true);
  assert.equal(info.isAuthorizationEnabled, false);
  assert.equal(info.isLiveChat, false);
});

test('2. connect() gets a transaction token and opens an authenticated socket', STEP, async () => {
  const from = frames.length;
  assert.equal(await within(10_000, 'connect()', chat.sdk.connect()), true);

  const [tokenRequest] = (await emu.received({ transport: 'rest' })).filter(
    (r) => r.kind === 'POST /oauth/token',
  );
  assert.deepEqual(tokenRequest.body, { customerIdentity: { idOnExternalPlatform: customerId } });

  const open = await frames.waitFor('the socket to open', (f) => f.dir === 'open', { from });
  const url = new URL(open.args[0]);
  assert.equal(url.searchParams.get('sdkVersion'), SDK_VERSION);
  assert.equal(url.searchParams.get('brandId'), String(BRAND));
  assert.equal(url.searchParams.get('channelId'), CHANNEL);
  assert.ok(
    url.searchParams.get('transactionToken'),
    'the socket URL carries the transaction token',
  );
  assert.equal(url.searchParams.has('customerId'), false, 'no customerId with secured sessions');

  // Secured sessions start the heartbeat right after the socket opens.
  const first = await frames.waitFor('the first frame the SDK sends', (f) => f.dir === 'sent', {
    from,
  });
  assert.deepEqual(first.json, { action: 'heartbeat' });
  await frames.waitFor('"pong"', (f) => f.dir === 'received' && f.json === 'pong', { from });

  const connections = await emu.admin('GET', 'connections');
  assert.deepEqual(
    connections.map((c) => [c.channelId, c.customerId]),
    [[CHANNEL, customerId]],
    'the emulator knows the customer from the token alone',
  );
});

test('3. a message on a new thread is answered by the agent', STEP, async () => {
  await assert.rejects(
    within(10_000, 'recoverThreadData()', chat.sdk.recoverThreadData()),
    (error) => {
      assert.ok(error instanceof WebSdk.ThreadRecoverFailedError, `${error}`);
      assert.equal(error.data.error.errorCode, 'RecoveringThreadFailed');
      return true;
    },
  );

  thread = chat.sdk.getThread(threadId);
  threadEvents = recordThreadEvents(thread);
  await within(10_000, 'sendTextMessage()', thread.sendTextMessage(text));

  const created = await threadEvents.waitFor('ContactCreated', (e) => e.type === 'ContactCreated');
  assert.equal(created.detail.data.case.threadIdOnExternalPlatform, threadId);
  await threadEvents.waitFor(
    'the echo',
    (e) =>
      e.type === 'MessageCreated' && e.detail.data.message.messageContent.payload.text === text,
  );
  const assigned = await threadEvents.waitFor(
    'AssignedAgentChanged',
    (e) => e.type === 'AssignedAgentChanged',
  );
  assert.equal(assigned.detail.data.inboxAssignee.id, 4242);
  await threadEvents.waitFor('AgentTypingStarted', (e) => e.type === 'AgentTypingStarted');
  await threadEvents.waitFor('AgentTypingEnded', (e) => e.type === 'AgentTypingEnded');
  const reply = await threadEvents.waitFor(
    'the agent reply',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
  );
  assert.equal(reply.detail.data.message.messageContent.payload.text, `You said: ${text}`);
  assert.equal(WebSdk.getAuthor(reply.detail.data.message), 'Alex Agent');

  const [sent] = await receivedWs(emu, 'SendMessage');
  assert.equal(sent.payload.consumerIdentity.idOnExternalPlatform, customerId);
  assert.equal(sent.payload.data.thread.idOnExternalPlatform, threadId);
});

test('4. the conversation can be recovered', STEP, async () => {
  const recovered = await within(10_000, 'recoverThreadData()', chat.sdk.recoverThreadData());
  assert.equal(recovered.data.thread.idOnExternalPlatform, threadId);
  const texts = recovered.data.messages.map((m) => m.messageContent.payload.text);
  assert.ok(texts.includes(text) && texts.includes(`You said: ${text}`), texts.join(' | '));
});

test('5. no AuthorizeCustomer was sent and nothing went wrong', STEP, async () => {
  assert.deepEqual(await receivedWs(emu, 'AuthorizeCustomer'), []);
  const kinds = (await emu.received({ transport: 'ws' })).map((r) => r.kind);
  assert.equal(kinds[0], 'heartbeat', kinds.join(', '));
  assert.ok(!kinds.includes('malformed'));
  assertNoSdkErrors(chat.errors);
});
