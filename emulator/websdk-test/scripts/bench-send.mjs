// The official web SDK as a peer in the daemon's benchmark (daemon/tests/it/bench_peers.rs):
// one ChatSdk in this Node process, pointed at an emulator the benchmark already runs
// ($CXONE_BENCH_EMULATOR, e.g. http://127.0.0.1:PORT), sends $CXONE_BENCH_SENDS messages on
// one thread of `chat_single`, one at a time, and times each `sendTextMessage()` until its
// promise resolves (the back end's acknowledgement). Prints one JSON line:
// {"n", "p50Us", "p99Us", "rssKib"} — rssKib is this process's resident memory at the end.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { createChat, disconnect, within } from '../lib/harness.mjs';

const base = process.env.CXONE_BENCH_EMULATOR;
const n = Number(process.env.CXONE_BENCH_SENDS || 300);
if (!base) {
  console.error('CXONE_BENCH_EMULATOR is not set');
  process.exit(2);
}
const emu = { baseUrl: base, wsUrl: `${base.replace(/^http/, 'ws')}/` };
const chat = createChat(emu, { channelId: 'chat_single', customerId: `bench-${randomUUID()}` });
await within(10_000, 'connect()', chat.sdk.connect());
await within(10_000, 'authorize()', chat.sdk.authorize());
const thread = chat.sdk.getThread(randomUUID());
for (let i = 0; i < 30; i++) {
  await within(10_000, 'a warm-up send', thread.sendTextMessage(`warm-up ${i}`));
}
const samples = [];
for (let i = 0; i < n; i++) {
  const t = performance.now();
  await within(10_000, 'sendTextMessage()', thread.sendTextMessage(`m${i}`));
  samples.push((performance.now() - t) * 1000);
}
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.round((samples.length - 1) * p)];
const rssKib = Math.round(process.memoryUsage().rss / 1024);
console.log(JSON.stringify({ n, p50Us: pct(0.5), p99Us: pct(0.99), rssKib }));
await disconnect(chat.sdk).catch(() => {});
process.exit(chat.errors.length === 0 ? 0 : 1);
