// The official CXone web SDK (npm @nice-devone/nice-cxone-chat-web-sdk 2.2.0) as the client of
// the real cxone-emulator binary, on the single-thread messaging channel `chat_single` of the
// built-in brand 1000, with the SDK's legacy (WebSocket `AuthorizeCustomer`) authorization.
//
// What this proves, step by step, through the SDK's public API and its own event objects:
//   1. the package is the official SDK, version 2.2.0;
//   2. channel info and availability load over REST from a custom environment on 127.0.0.1;
//   3. `connect()` + legacy `authorize()` succeed, and the SDK starts its heartbeat, which the
//      emulator answers with "pong";
//   4. recovering before the first message fails the way the SDK expects (`RecoveringThreadFailed`);
//   5. `sendTextMessage()` on a new thread resolves, and the SDK delivers — to that thread's
//      listeners — ContactCreated, the echo of the message, AssignedAgentChanged (Alex Agent),
//      MessageReadChanged, AgentTypingStarted/Ended and the agent's reply "You said: …";
//   6. the customer's typing, `lastMessageSeen()` and contact/customer custom fields reach the
//      emulator (and their promises settle);
//   7. `sendAttachments()` uploads over REST and sends the file URL the emulator handed out;
//   8. `recoverThreadData()` and `thread.recover()` return the conversation;
// and, via `GET /admin/received`, exactly what the emulator received from the SDK.

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
  sdkManifest,
  sentRequest,
  within,
} from '../lib/harness.mjs';

const CHANNEL = 'chat_single';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-${randomUUID()}`;
const threadId = randomUUID();
const text = 'Hello from the official CXone web SDK';
let thread;
let threadEvents;
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

test('1. the client is the official CXone web SDK 2.2.0', STEP, () => {
  assert.equal(sdkManifest.name, '@nice-devone/nice-cxone-chat-web-sdk');
  assert.equal(sdkManifest.version, SDK_VERSION);
  assert.equal(WebSdk.CHAT_SDK_VERSION, SDK_VERSION);
  assert.deepEqual(chat.errors, [], 'the constructor accepted the custom environment');
});

test('2. channel info and availability come from the emulator', STEP, async () => {
  const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
  assert.equal(info.isLiveChat, false);
  assert.equal(info.isAuthorizationEnabled, false);
  assert.equal(info.settings.hasMultipleThreadsPerEndUser, false);
  assert.equal(info.settings.features.securedSessions, false);
  assert.equal(info.settings.fileRestrictions.isAttachmentsEnabled, true);
  assert.ok(
    info.settings.fileRestrictions.allowedFileTypes.some((t) => t.mimeType === 'text/plain'),
    'text/plain attachments are allowed',
  );
  const availability = await within(
    10_000,
    'getChannelAvailability()',
    chat.sdk.getChannelAvailability(),
  );
  assert.deepEqual(availability, { status: 'online' });

  const rest = (await emu.received({ transport: 'rest' })).map((r) => r.kind);
  assert.ok(rest.includes(`GET /chat/1.0/brand/${BRAND}/channel/${CHANNEL}`), rest.join(', '));
  assert.ok(
    rest.includes(`GET /chat/1.0/brand/${BRAND}/channel/${CHANNEL}/availability`),
    rest.join(', '),
  );
});

test('3. connect() and legacy authorize() succeed, then the heartbeat runs', STEP, async () => {
  const from = frames.length;
  assert.equal(await within(10_000, 'connect()', chat.sdk.connect()), true);
  const open = await frames.waitFor('the socket to open', (f) => f.dir === 'open', { from });
  const url = new URL(open.args[0]);
  assert.equal(url.searchParams.get('sdkPlatform'), 'web');
  assert.equal(url.searchParams.get('sdkVersion'), SDK_VERSION);
  assert.equal(url.searchParams.get('brandId'), String(BRAND));
  assert.equal(url.searchParams.get('channelId'), CHANNEL);
  assert.equal(url.searchParams.get('customerId'), customerId);

  const auth = await within(10_000, 'authorize()', chat.sdk.authorize());
  assert.equal(auth.consumerIdentity.idOnExternalPlatform, customerId);
  const authorized = await chat.events.waitFor(
    'ConsumerAuthorized',
    (e) => e.type === 'ConsumerAuthorized',
  );
  assert.ok(
    WebSdk.isAuthSuccessEvent(authorized.detail),
    'the SDK took the reply as a successful authorization',
  );

  // The legacy client starts its heartbeat only once the server marks the socket authorized.
  const heartbeat = await frames.waitFor(
    'the SDK to send a heartbeat',
    (f) => f.dir === 'sent' && f.json?.action === 'heartbeat',
    { from },
  );
  await frames.waitFor(
    '"pong" after the heartbeat',
    (f) => f.dir === 'received' && f.json === 'pong',
    {
      from: frames.items.indexOf(heartbeat),
    },
  );

  const [register] = await receivedWs(emu, 'AuthorizeCustomer');
  assert.equal(register.action, 'register');
  assert.equal(register.payload.brand.id, BRAND);
  assert.equal(register.payload.channel.id, CHANNEL);
  assert.equal(register.payload.consumerIdentity.idOnExternalPlatform, customerId);
  assert.equal(register.payload.data.sdkPlatform, 'web');
  assert.equal(register.payload.data.sdkVersion, SDK_VERSION);
  assert.ok(
    (await receivedWs(emu, 'heartbeat')).length >= 1,
    'the emulator recorded the heartbeat',
  );
  const connections = await emu.admin('GET', 'connections');
  assert.deepEqual(
    connections.map((c) => [c.brandId, c.channelId, c.customerId]),
    [[BRAND, CHANNEL, customerId]],
  );
});

test('4. recovering before the first message fails with RecoveringThreadFailed', STEP, async () => {
  await assert.rejects(
    within(10_000, 'recoverThreadData()', chat.sdk.recoverThreadData()),
    (error) => {
      assert.ok(error instanceof WebSdk.ThreadRecoverFailedError, `${error}`);
      assert.equal(error.data.error.errorCode, 'RecoveringThreadFailed');
      return true;
    },
  );
  const [recover] = await receivedWs(emu, 'RecoverThread');
  assert.deepEqual(recover.payload.data, {}, 'no thread id: "the customer\'s latest thread"');
});

test(
  '5. a message gets a contact, an agent, typing and the reply "You said: …"',
  STEP,
  async () => {
    thread = chat.sdk.getThread(threadId);
    threadEvents = recordThreadEvents(thread);
    const messageId = randomUUID();
    const from = frames.length;

    const result = await within(
      10_000,
      'sendTextMessage()',
      thread.sendTextMessage(text, { messageId }),
    );
    const request = await sentRequest('SendMessage', { from });
    assert.equal(result.id, request.json.eventId, 'resolved by the reply to its own request');

    const created = await threadEvents.waitFor(
      'ContactCreated',
      (e) => e.type === 'ContactCreated',
    );
    assert.ok(WebSdk.isContactCreatedEvent(created.detail));
    assert.equal(created.detail.data.case.threadIdOnExternalPlatform, threadId);
    assert.equal(created.detail.data.case.status, 'new');
    contactId = created.detail.data.case.id;
    assert.ok(contactId, 'the contact has an id');

    const echo = await threadEvents.waitFor(
      'the echo of the message',
      (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'inbound',
    );
    assert.ok(WebSdk.isMessageCreatedEvent(echo.detail));
    assert.equal(echo.detail.data.message.idOnExternalPlatform, messageId);
    assert.equal(echo.detail.data.message.messageContent.type, 'TEXT');
    assert.equal(echo.detail.data.message.messageContent.payload.text, text);

    const assigned = await threadEvents.waitFor(
      'AssignedAgentChanged',
      (e) => e.type === 'AssignedAgentChanged',
    );
    assert.ok(WebSdk.isAssignedAgentChangedEvent(assigned.detail));
    const agent = assigned.detail.data.inboxAssignee;
    assert.deepEqual([agent.id, agent.firstName, agent.surname], [4242, 'Alex', 'Agent']);

    const read = await threadEvents.waitFor(
      'MessageReadChanged',
      (e) => e.type === 'MessageReadChanged',
    );
    assert.ok(WebSdk.isMessageReadChangedEvent(read.detail));
    assert.equal(read.detail.data.message.idOnExternalPlatform, messageId);

    const typingStarted = await threadEvents.waitFor(
      'AgentTypingStarted',
      (e) => e.type === 'AgentTypingStarted',
    );
    assert.ok(WebSdk.isAgentTypingStartedEvent(typingStarted.detail));
    const typingEnded = await threadEvents.waitFor(
      'AgentTypingEnded',
      (e) => e.type === 'AgentTypingEnded',
    );
    assert.ok(WebSdk.isAgentTypingEndedEvent(typingEnded.detail));

    const reply = await threadEvents.waitFor(
      'the agent reply',
      (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
    );
    const message = reply.detail.data.message;
    assert.equal(message.messageContent.payload.text, `You said: ${text}`);
    assert.equal(WebSdk.getAuthor(message), 'Alex Agent');
    const order = [created, echo, assigned, typingStarted, typingEnded, reply].map((e) =>
      threadEvents.items.indexOf(e),
    );
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      'contact, echo, assignment, typing, reply in order',
    );

    // What the emulator got and did.
    const sent = (await receivedWs(emu, 'SendMessage')).find((b) => b.eventId === result.id);
    assert.equal(sent.action, 'chatWindowEvent');
    assert.equal(sent.payload.consumerIdentity.idOnExternalPlatform, customerId);
    assert.equal(sent.payload.consumerIdentity.firstName, 'Ada');
    assert.equal(sent.payload.data.thread.idOnExternalPlatform, threadId);
    assert.equal(sent.payload.data.idOnExternalPlatform, messageId);
    assert.deepEqual(sent.payload.data.messageContent, { type: 'TEXT', payload: { text } });
    assert.equal(sent.payload.data.browserFingerprint.applicationType, 'browser');
    const [stored] = (await emu.admin('GET', 'threads')).filter((t) => t.threadId === threadId);
    assert.equal(stored.customerId, customerId);
    assert.equal(stored.contact.id, contactId);
    assert.equal(stored.contact.assignee.id, 4242);
    assert.deepEqual(
      stored.messages.map((m) => [m.direction, m.messageContent.payload.text]),
      [
        ['inbound', text],
        ['outbound', `You said: ${text}`],
      ],
    );
  },
);

test('6. typing, lastMessageSeen() and custom fields reach the emulator', STEP, async () => {
  let from = frames.length;
  thread.keystroke(60_000);
  const started = await sentRequest('SenderTypingStarted', { from });
  thread.stopTyping();
  const ended = await sentRequest('SenderTypingEnded', { from });
  for (const f of [started, ended]) {
    assert.equal(f.json.payload.data.thread.idOnExternalPlatform, threadId);
  }

  from = frames.length;
  const seen = await within(10_000, 'lastMessageSeen()', thread.lastMessageSeen());
  assert.equal(seen.id, (await sentRequest('MessageSeenByConsumer', { from })).json.eventId);

  // The contact exists (ContactCreated), so the SDK sends thread custom fields right away.
  await within(10_000, 'thread.setCustomFields()', thread.setCustomFields({ orderId: '12345' }));
  await within(
    10_000,
    'customer.setCustomFields()',
    chat.sdk.getCustomer().setCustomFields({ tier: 'gold' }),
  );

  // The emulator records the web SDK's event names under their mobile names.
  const received = await emu.received({ transport: 'ws' });
  for (const [kind, webName] of [
    ['SenderTypingStarted', 'SenderTypingStarted'],
    ['SenderTypingEnded', 'SenderTypingEnded'],
    ['MessageSeenByCustomer', 'MessageSeenByConsumer'],
    ['SetContactCustomFields', 'SetConsumerContactCustomFields'],
    ['SetCustomerCustomFields', 'SetConsumerCustomFields'],
  ]) {
    const record = received.find((r) => r.kind === kind);
    assert.ok(record, `the emulator received ${kind}: ${received.map((r) => r.kind).join(', ')}`);
    assert.equal(record.body.payload.eventType, webName);
  }
  const [customerFields] = await receivedWs(emu, 'SetCustomerCustomFields');
  assert.deepEqual(customerFields.payload.data.customFields, [{ ident: 'tier', value: 'gold' }]);
  const [stored] = (await emu.admin('GET', 'threads')).filter((t) => t.threadId === threadId);
  assert.ok(
    stored.contact.customFields.some((f) => f.ident === 'orderId' && f.value === '12345'),
    JSON.stringify(stored.contact.customFields),
  );
  assert.ok(
    stored.messages
      .filter((m) => m.direction === 'outbound')
      .every((m) => m.customerStatistics?.seenAt),
    'the agent messages are marked seen by the customer',
  );
});

test('7. sendAttachments() uploads the file and sends its URL', STEP, async () => {
  const from = frames.length;
  const content = 'hello from a web SDK attachment\n';
  const file = new File([content], 'note.txt', { type: 'text/plain' });
  await within(10_000, 'sendAttachments()', thread.sendAttachments([file]));
  const request = await sentRequest('SendMessage', { from });
  const [attachment] = request.json.payload.data.attachments;
  assert.equal(attachment.friendlyName, 'note.txt');
  assert.ok(attachment.url.startsWith(`${emu.baseUrl}/files/`), attachment.url);
  const downloaded = await fetch(attachment.url, { signal: AbortSignal.timeout(5_000) });
  assert.equal(await downloaded.text(), content);

  const upload = (await emu.received({ transport: 'rest' })).find(
    (r) => r.kind === `POST /chat/1.0/brand/${BRAND}/channel/${CHANNEL}/attachment`,
  );
  assert.deepEqual(upload.body, {
    content: Buffer.from(content).toString('base64'),
    fileName: 'note.txt',
    mimeType: 'text/plain',
  });
  await threadEvents.waitFor(
    'the reply to the attachment',
    (e) =>
      e.type === 'MessageCreated' &&
      e.detail.data.message.messageContent.payload.text === 'You said: (an attachment)',
  );
});

test('8. recoverThreadData() and thread.recover() return the conversation', STEP, async () => {
  const latest = await within(10_000, 'recoverThreadData()', chat.sdk.recoverThreadData());
  assert.ok(WebSdk.isRecoverSuccessEvent(latest));
  assert.equal(latest.data.thread.idOnExternalPlatform, threadId);
  assert.equal(latest.data.contact.id, contactId);
  assert.ok(Array.isArray(latest.data.contactHistory));
  const texts = latest.data.messages.map((m) => m.messageContent.payload.text);
  assert.ok(texts.includes(text) && texts.includes(`You said: ${text}`), texts.join(' | '));
  assert.equal(latest.data.inboxAssignee.id, 4242);

  const byId = await within(10_000, 'recoverThreadData(id)', chat.sdk.recoverThreadData(threadId));
  assert.equal(byId.data.thread.idOnExternalPlatform, threadId);
  const own = await within(10_000, 'thread.recover()', thread.recover());
  assert.equal(own.thread.idOnExternalPlatform, threadId);
  await chat.events.waitFor('the ThreadRecovered chat event', (e) => e.type === 'ThreadRecovered');

  const recovers = await receivedWs(emu, 'RecoverThread');
  assert.deepEqual(
    recovers.map((r) => r.payload.data.thread?.idOnExternalPlatform ?? null),
    [null, null, threadId, threadId],
  );
});

test('9. nothing went wrong on the way', STEP, async () => {
  assertNoSdkErrors(chat.errors);
  const kinds = (await emu.received({ transport: 'ws' })).map((r) => r.kind);
  assert.ok(!kinds.includes('malformed'), 'every frame the SDK sent was a valid client frame');
  const errors = frames.filter((f) => f.dir === 'received' && f.json?.error);
  assert.deepEqual(
    errors.map((f) => f.json.error.errorCode),
    ['RecoveringThreadFailed'],
    'the only operation error was the expected recover of a customer without threads',
  );
});
