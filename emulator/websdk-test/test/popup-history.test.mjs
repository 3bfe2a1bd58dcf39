// The official CXone web SDK 2.2.0 against the real cxone-emulator binary: the inactivity
// popup of a live chat (`chat_live`) and older history of a messaging thread (`chat_single`).
//
// What this proves, through the SDK's public API and its own event objects:
//   1. a live chat is started and answered;
//   2. the agent's inactivity popup (a PLUGIN of type INACTIVITY_POPUP, sent with
//      `POST /admin/agent/say`) reaches the thread's listeners as the SDK decodes it, buttons and
//      countdown intact;
//   3. answering "Yes" with `sendPostbackMessage()` keeps the conversation open;
//   4. answering "No" (the expire button's postback) closes the contact: the SDK reports
//      ContactStatusChanged `closed`;
//   5. a thread with 30 messages is recovered with its newest page and a scroll token, and
//      `loadMoreMessages()` brings the 5 older ones, oldest first, then reports no more;
// and that the SDK reported no error on the way.

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

const STEP = { timeout: 60_000 };
const JOB = '40180433-4438-4ef7-af4e-d6f69d3bda25';

let emu;
let live;
let single;
const liveThreadId = randomUUID();
let liveThread;
let liveEvents;

const postback = (expired) =>
  JSON.stringify({ type: 'sessionExpiration', isExpired: expired, workflowJobId: JOB });

// The popup as CXone sends it (PROTOCOL.md §3.9.7), the countdown started now.
function popup() {
  const button = (id, text, expired) => ({ id, type: 'BUTTON', text, postback: postback(expired) });
  return {
    type: 'PLUGIN',
    fallbackText: 'Unsupported message content',
    payload: {
      postback: '',
      elements: [
        {
          id: randomUUID(),
          type: 'INACTIVITY_POPUP',
          elements: [
            { id: 't', type: 'TITLE', text: 'Still there?' },
            { id: 'b', type: 'TEXT', text: 'We have not heard from you.' },
            {
              id: 'c',
              type: 'COUNTDOWN',
              variables: {
                startedAt: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
                numberOfSeconds: 60,
              },
            },
            button(randomUUID(), 'Yes', false),
            button(randomUUID(), 'No', true),
          ],
        },
      ],
    },
  };
}

async function showPopup() {
  const from = liveEvents.length;
  await emu.admin('POST', 'agent/say', { threadId: liveThreadId, content: popup() });
  const shown = await liveEvents.waitFor(
    'the popup',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.messageContent.type === 'PLUGIN',
    { from },
  );
  return shown.detail.data.message.messageContent;
}

before(async () => {
  emu = await startEmulator();
  live = createChat(emu, { channelId: 'chat_live', customerId: `websdk-popup-${randomUUID()}` });
});

after(async () => {
  if (live) await disconnect(live.sdk).catch(() => {});
  if (single) await disconnect(single.sdk).catch(() => {});
  if (emu) {
    const status = await emu.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'the emulator stops cleanly on SIGINT');
  }
});

test('1. a live chat is started and answered', STEP, async () => {
  assert.equal(await within(10_000, 'connect()', live.sdk.connect()), true);
  await within(10_000, 'authorize()', live.sdk.authorize());
  liveThread = live.sdk.getThread(liveThreadId);
  assert.ok(liveThread instanceof WebSdk.LivechatThread);
  liveEvents = recordThreadEvents(liveThread);
  await within(10_000, 'startChat()', liveThread.startChat('Is anyone there?'));
  await liveEvents.waitFor(
    'the agent reply',
    (e) => e.type === 'MessageCreated' && e.detail.data.message.direction === 'outbound',
  );
});

test('2. the inactivity popup reaches the thread as the SDK decodes it', STEP, async () => {
  const content = await showPopup();
  const [element] = content.payload.elements;
  assert.equal(element.type, 'INACTIVITY_POPUP');
  const kinds = element.elements.map((e) => e.type);
  assert.deepEqual(kinds, ['TITLE', 'TEXT', 'COUNTDOWN', 'BUTTON', 'BUTTON']);
  const countdown = element.elements.find((e) => e.type === 'COUNTDOWN');
  assert.equal(countdown.variables.numberOfSeconds, 60);
  const buttons = element.elements.filter((e) => e.type === 'BUTTON');
  assert.deepEqual(
    buttons.map((b) => JSON.parse(b.postback).isExpired),
    [false, true],
    'the buttons keep their sessionExpiration postbacks',
  );
});

test('3. answering "Yes" keeps the conversation open', STEP, async () => {
  await within(
    10_000,
    'sendPostbackMessage(yes)',
    liveThread.sendPostbackMessage(postback(false), 'Yes'),
  );
  const sent = (await receivedWs(emu, 'SendMessage')).at(-1);
  assert.equal(sent.payload.data.messageContent.postback, postback(false));
  // The agent's answer to "Yes" comes after any closing would have: the contact is still open.
  await liveEvents.waitFor(
    'the answer to "Yes"',
    (e) =>
      e.type === 'MessageCreated' &&
      e.detail.data.message.messageContent.payload?.text === 'You said: Yes',
  );
  const [stored] = (await emu.admin('GET', 'threads')).filter((t) => t.threadId === liveThreadId);
  assert.notEqual(stored.contact.status, 'closed');
});

test('4. answering "No" ends the chat', STEP, async () => {
  await showPopup();
  await within(
    10_000,
    'sendPostbackMessage(no)',
    liveThread.sendPostbackMessage(postback(true), 'No'),
  );
  const closed = await liveEvents.waitFor(
    'ContactStatusChanged closed',
    (e) => e.type === 'ContactStatusChanged' && e.detail.data.case.status === 'closed',
  );
  assert.ok(WebSdk.isContactStatusChangedEvent(closed.detail));
});

test('5. older messages load page by page until there are none', STEP, async () => {
  // One SDK instance at a time: the SDK keeps some state per page (its storage), as a browser
  // tab would. The live chat went without an error until it is closed here.
  assertNoSdkErrors(live.errors);
  await disconnect(live.sdk);
  live = null;
  single = createChat(emu, {
    channelId: 'chat_single',
    customerId: `websdk-history-${randomUUID()}`,
  });
  assert.equal(await within(10_000, 'connect()', single.sdk.connect()), true);
  await within(10_000, 'authorize()', single.sdk.authorize());
  const threadId = randomUUID();
  const thread = single.sdk.getThread(threadId);
  const events = recordThreadEvents(thread);
  for (let n = 0; n < 15; n++) {
    await within(10_000, `sendTextMessage(m${n})`, thread.sendTextMessage(`m${n}`));
    await events.waitFor(
      `the answer to m${n}`,
      (e) =>
        e.type === 'MessageCreated' &&
        e.detail.data.message.messageContent.payload?.text === `You said: m${n}`,
    );
  }
  // A fresh recovery holds the newest page (25 of 30) and the token for the rest.
  const recovered = await within(10_000, 'thread.recover()', thread.recover());
  assert.equal(recovered.messages.length, 25);
  assert.ok(recovered.messagesScrollToken, 'a scroll token for the older page');

  const more = await within(10_000, 'loadMoreMessages()', thread.loadMoreMessages());
  assert.ok(more, 'an older page');
  const texts = more.data.messages.map((m) => m.messageContent.payload.text);
  assert.deepEqual(
    [...texts].sort(),
    ['You said: m0', 'You said: m1', 'm0', 'm1', 'm2'],
    'the five oldest messages',
  );
  assert.equal(
    await within(10_000, 'loadMoreMessages() at the start', thread.loadMoreMessages()),
    null,
    'no page before the first',
  );
  assert.equal((await receivedWs(emu, 'LoadMoreMessages')).length, 1);
});

test('6. nothing went wrong', STEP, () => {
  assert.ok(single, 'the messaging chat ran');
  assertNoSdkErrors(single.errors);
});
