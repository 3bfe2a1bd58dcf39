// What every scenario needs: the SDK loaded into a browser-like Node, an SDK instance pointed at
// the emulator through a custom environment, and recorders that let a test wait for one
// specific SDK event or socket frame with a deadline (never "sleep and hope").
//
// The SDK keeps its configuration in module-level state (one chat per page), so each test
// file, which node:test runs in its own process, drives exactly one ChatSdk instance.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { installBrowserEnv, listenerErrors, wire } from './browser-env.mjs';

installBrowserEnv();
const require = createRequire(import.meta.url);

/** The SDK's exports (`ChatSdk`, `ChatEvent`, helpers), loaded after the shims. */
export const WebSdk = require('@nice-devone/nice-cxone-chat-web-sdk');
/** The installed package's manifest; the tests pin and assert the version. */
export const sdkManifest = require('@nice-devone/nice-cxone-chat-web-sdk/package.json');

export const SDK_VERSION = '2.2.0';
export const BRAND = 1000;

/** A list of records that can be waited on: the first match already recorded or yet to come. */
export class Recorder {
  #waiters = new Set();

  constructor(name) {
    this.name = name;
    this.items = [];
  }

  push(item) {
    this.items.push(item);
    for (const w of [...this.#waiters]) {
      if (this.items.length - 1 >= w.from && w.predicate(item)) {
        this.#waiters.delete(w);
        w.resolve(item);
      }
    }
  }

  /** Resolves with the first record at index >= `from` matching `predicate`. */
  waitFor(what, predicate, { timeoutMs = 10_000, from = 0 } = {}) {
    const found = this.items.slice(from).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, from, resolve: null };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const recent = this.items
          .slice(-15)
          .map((i) => i.summary ?? JSON.stringify(i).slice(0, 200));
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${this.name}: ${what}\n` +
              `last ${recent.length} ${this.name}:\n  ${recent.join('\n  ')}`,
          ),
        );
      }, timeoutMs);
      waiter.resolve = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
      this.#waiters.add(waiter);
    });
  }

  /** All records matching `predicate`. */
  filter(predicate) {
    return this.items.filter(predicate);
  }

  get length() {
    return this.items.length;
  }
}

/** Every socket frame the SDK sent or received, parsed when it is JSON. */
export const frames = new Recorder('socket frames');
for (const dir of ['sent', 'received']) {
  wire.on(dir, (text) => {
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const type =
      json?.payload?.eventType ?? json?.eventType ?? json?.postback?.eventType ?? json?.action;
    frames.push({ dir, text, json, summary: `${dir} ${type ?? text.slice(0, 80)}` });
  });
}
for (const kind of ['open', 'close']) {
  wire.on(kind, (...args) =>
    frames.push({ dir: kind, args, summary: `${kind} ${args.join(' ')}` }),
  );
}

/** Resolves (or rejects) within `ms`, naming what took too long. */
export async function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A ChatSdk for brand 1000 and `channelId`, pointed at the emulator through the SDK's custom
 * environment: `chat` is the REST base (the SDK appends `/chat/1.0/...`), `gateway` the WebSocket
 * and `authorize` the OAuth service (the SDK replaces its path with `/oauth/token`).
 * Every SDK event of every `ChatEvent` type is recorded in `events`; errors reported through
 * `onError` go to `errors`.
 */
export function createChat(emu, { channelId, ...options }) {
  const errors = [];
  const events = new Recorder('SDK events');
  const sdk = new WebSdk.ChatSdk({
    brandId: BRAND,
    channelId,
    environment: WebSdk.EnvironmentName.custom,
    customEnvironment: {
      name: 'cxone-emulator',
      chat: emu.baseUrl,
      gateway: emu.wsUrl,
      authorize: emu.baseUrl,
    },
    cacheStorage: null,
    onError: (error) => errors.push(error),
    ...options,
  });
  for (const type of new Set(Object.values(WebSdk.ChatEvent))) {
    sdk.onChatEvent(type, (event) => {
      events.push({
        type,
        detail: event.detail,
        summary: `${type} ${JSON.stringify(event.detail?.data ?? null).slice(0, 160)}`,
      });
    });
  }
  return { sdk, errors, events };
}

/**
 * Records what the SDK delivers to `thread.onThreadEvent` listeners, i.e. only events it routed
 * to this thread (by `data.thread.idOnExternalPlatform`, `data.case.threadIdOnExternalPlatform`
 * or `data.message.threadIdOnExternalPlatform`).
 */
export function recordThreadEvents(thread, types = Object.values(WebSdk.ChatEvent)) {
  const events = new Recorder(`events of thread ${thread.idOnExternalPlatform}`);
  for (const type of new Set(types)) {
    thread.onThreadEvent(type, (event) => {
      events.push({
        type,
        detail: event.detail,
        summary: `${type} ${JSON.stringify(event.detail?.data ?? null).slice(0, 160)}`,
      });
    });
  }
  return events;
}

/** Waits for the SDK to send a request of `eventType` (payload.eventType) over the socket. */
export function sentRequest(eventType, { from = 0, timeoutMs = 10_000 } = {}) {
  return frames.waitFor(
    `the SDK to send ${eventType}`,
    (f) => f.dir === 'sent' && f.json?.payload?.eventType === eventType,
    { from, timeoutMs },
  );
}

/** Closes the SDK's socket and waits for the close to be seen on the wire. */
export async function disconnect(sdk) {
  const from = frames.length;
  sdk.getWebsocketClient()?.disconnect();
  await frames.waitFor('the socket to close', (f) => f.dir === 'close', { from, timeoutMs: 5_000 });
}

/** Asserts that the SDK reported no error through `onError` and no socket listener threw. */
export function assertNoSdkErrors(errors) {
  assert.deepEqual(
    errors.map((e) => `${e.name}: ${e.message} ${JSON.stringify(e.data ?? '')}`),
    [],
    'the SDK reported errors through onError',
  );
  assert.deepEqual(
    listenerErrors.map((e) => e.stack ?? String(e)),
    [],
    'an SDK socket listener threw (a browser would log it and drop the frame)',
  );
}

/** The JSON bodies of WebSocket frames the emulator received from this test, by event kind. */
export async function receivedWs(emu, kind) {
  const records = await emu.received({ transport: 'ws', kind });
  return records.map((r) => r.body);
}

export { listenerErrors, wire };
