// The official CXone web SDK 2.2.0 against the real cxone-emulator binary on the live-chat
// channel `chat_live` (brand 1000), legacy authorization.
//
// What this proves, through the SDK's `LivechatThread` and its own events:
//   1. channel info says live chat, and `authorize()` switches the SDK into live-chat mode;
//   2. the channel's welcome message arrives as a `FireProactiveAction` chat event;
//   3. `recoverLivechatThreadData()` fails while there is no chat (`RecoveringLivechatFailed`);
//   4. `startChat()` opens the chat: ContactCreated, queue positions 3, 2, 1
//      (`SetPositionInQueue`), assignment, typing and the reply "You said: …";
//   5. the chat can be recovered, with its routing history;
//   6. `endChat()` resolves, the contact becomes `closed` (ContactStatusChanged), and the SDK
//      reports the emulator's refusal of any further message;
// and, via `GET /admin/received`, what the emulator received.

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

const CHANNEL = 'chat_live';
const STEP = { timeout: 30_000 };

let emu;
let chat;
const customerId = `websdk-live-${randomUUID()}`;
const threadId = randomUUID();
const text = 'I need help with my order';
let thread;
let threadEvents;
let contactId;

before(async () => {
  emu = await startEmulator();
  chat = createChat(emu, { channelId: CHANNEL, customerId, customerName: 'Grace Hopper' });
});

after(async () => {
  if (chat) await disconnect(chat.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test(
  '1. the channel is a live chat and authorize() puts the SDK in live-chat mode',
  STEP,
  async () => {
    const info = await within(10_000, 'getChannelInfo()', chat.sdk.getChannelInfo());
    assert.equal(info.isLiveChat, true);
    const availability = await within(
      10_000,
      'getChannelAvailability()',
      chat.sdk.getChannelAvailability(),
    );
    assert.equal(availability.status, 'online');

    assert.equal(await within(10_000, 'connect()', chat.sdk.connect()), true);
    const auth = await within(10_000, 'authorize()', chat.sdk.authorize());
    assert.equal(auth.consumerIdentity.idOnExternalPlatform, customerId);
    assert.equal(chat.sdk.isLivechat, true, 'authorize() read isLiveChat from the channel info');
  },
);

test('2. the welcome message arrives as FireProactiveAction', STEP, async () => {
  const welcome = await chat.events.waitFor(
    'FireProactiveAction',
    (e) => e.type === 'FireProactiveAction',
  );
  const action = welcome.detail.data.proactiveAction.action;
  assert.equal(action.actionType, 'WelcomeMessage');
  assert.ok(action.data.content.bodyText, 'the welcome message has a text');
});

test('3. there is no live chat to recover yet', STEP, async () => {
  await assert.rejects(
    within(10_000, 'recoverLivechatThreadData()', chat.sdk.recoverLivechatThreadData()),
    (error) => {
      assert.ok(error instanceof WebSdk.ThreadRecoverFailedError, `${error}`);
      assert.equal(error.data.error.errorCode, 'RecoveringLivechatFailed');
      return true;
    },
  );
  assert.equal((await receivedWs(emu, 'RecoverLivechat')).length, 1);
});

test('4. startChat() queues the chat, an agent takes it and answers', STEP, async () => {
  thread = chat.sdk.getThread(threadId);
  assert.ok(thread instanceof WebSdk.LivechatThread, 'a live-chat channel gives a LivechatThread');
  threadEvents = recordThreadEvents(thread);

  await within(10_000, 'startChat()', thread.startChat(text));
  await assert.rejects(thread.startChat('again'), /already initialized/);

  const created = await threadEvents.waitFor('ContactCreated', (e) => e.type === 'ContactCreated');
  contactId = created.detail.data.case.id;
  assert.ok(contactId);

  // Queue positions reach only `sdk.onChatEvent` (they name the contact, not the thread).
  const positions = [];
  for (const expected of [3, 2, 1]) {
    const event = await chat.events.waitFor(
      `queue position ${expected}`,
      (e) => e.type === 'SetPositionInQueue' && e.detail.data.positionInQueue === expected,
    );
    assert.ok(WebSdk.isSetPositionInQueueEvent(event.detail));
    assert.equal(event.detail.data.consumerContact.id, contactId);
    positions.push(chat.events.items.indexOf(event));
  }
  assert.deepEqual(
    positions,
    [...positions].sort((a, b) => a - b),
    'positions 3, 2, 1 in order',
  );

  const assigned = await threadEvents.waitFor(
    'AssignedAgentChanged',
    (e) => e.type === 'AssignedAgentChanged',
  );
  assert.ok(
    chat.events.items.findIndex((e) => e.detail === assigned.detail) > positions[2],
    'assigned after the queue',
  );
  assert.equal(assigned.detail.data.inboxAssignee.firstName, 'Alex');
  await threadEvents.waitFor('AgentTypingStarted', (e) => e.type === 'AgentTypingStarted');
  const reply = await threadEvents.waitFor(
    'the agent reply',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
  );
  assert.equal(reply.detail.data.message.messageContent.payload.text, `You said: ${text}`);

  const [sent] = await receivedWs(emu, 'SendMessage');
  assert.equal(sent.payload.data.messageContent.payload.text, text);
  assert.equal(sent.payload.data.thread.idOnExternalPlatform, threadId);
});

test('5. the live chat can be recovered, with its routing history', STEP, async () => {
  const recovered = await within(
    10_000,
    'recoverLivechatThreadData()',
    chat.sdk.recoverLivechatThreadData(),
  );
  assert.equal(recovered.type, 'LivechatRecovered');
  assert.equal(recovered.data.thread.idOnExternalPlatform, threadId);
  assert.equal(recovered.data.contact.id, contactId);
  assert.ok(
    recovered.data.contactHistory.some((e) => e.type === 'ContactToRoutingQueueAssignmentChanged'),
    'the SDK mapped the routing history',
  );
  await chat.events.waitFor(
    'the LivechatRecovered chat event',
    (e) => e.type === 'LivechatRecovered',
  );
});

test('6. endChat() closes the contact and further messages are refused', STEP, async () => {
  await within(10_000, 'endChat()', thread.endChat());
  const closed = await threadEvents.waitFor(
    'ContactStatusChanged closed',
    (e) => e.type === 'ContactStatusChanged' && e.detail.data.case.status === 'closed',
  );
  assert.ok(WebSdk.isContactStatusChangedEvent(closed.detail));
  const [end] = await receivedWs(emu, 'EndContact');
  assert.equal(end.payload.data.contact.id, contactId);
  assert.equal(end.payload.data.thread.idOnExternalPlatform, threadId);

  await assert.rejects(
    within(10_000, 'sendTextMessage() after the end', thread.sendTextMessage('hello?')),
    (error) => {
      assert.ok(error instanceof WebSdk.SendMessageFailedError, `${error}`);
      assert.equal(error.data.error.errorCode, 'SendingMessageFailed');
      return true;
    },
  );
  const [stored] = (await emu.admin('GET', 'threads')).filter((t) => t.threadId === threadId);
  assert.equal(stored.contact.status, 'closed');
  assert.equal(stored.canAddMoreMessages, false);
});

test('7. nothing else went wrong', STEP, () => {
  assertNoSdkErrors(chat.errors);
});
