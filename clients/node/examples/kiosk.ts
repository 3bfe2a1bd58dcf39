// A kiosk's chat, start to finish: the customer browses two pages, opens the chat, talks to the
// agent, and ends the conversation.
//
//   cxone-chatd --sandbox &                          # a daemon with an emulated CXone
//   npm run build && node dist/examples/kiosk.js "Where is my order?"
//
// Against a real tenant pass --environment (NA1, EU1, … or a JSON object with chatUrl and
// socketUrl), --brand and --channel.

import { parseArgs } from "node:util";

import { Client, RpcError, type Event, type SessionPrepareParams } from "../src/index.js";

const SESSION = "kiosk";

/** A line for what the customer should see of an event, or undefined. */
function show(e: Event, threadId: string): string | undefined {
  switch (e.kind) {
    case "message.created": {
      const m = e.data.message;
      if (m.threadId !== threadId || m.direction !== "outbound") return undefined;
      const name = m.author?.type === "agent" ? `${m.author.firstName} ${m.author.lastName}` : "CXone";
      return `${name}: ${m.text}`;
    }
    case "queue.position":
      return `(you are number ${e.data.position} in the queue)`;
    case "agent.typing":
      return e.data.isTyping ? "(the agent is typing…)" : undefined;
    case "contact.status":
      return `(the conversation is ${e.data.status})`;
    default:
      return undefined;
  }
}

async function kiosk(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      socket: { type: "string" },
      environment: { type: "string" },
      brand: { type: "string", default: "1000" },
      channel: { type: "string", default: "chat_live" },
    },
  });
  const message = positionals[0] ?? "Hello from the kiosk!";
  const environment = values.environment?.startsWith("{")
    ? (JSON.parse(values.environment) as SessionPrepareParams["environment"])
    : (values.environment as SessionPrepareParams["environment"]);

  const chat = await Client.connect(values.socket, { waitMs: 10_000 });
  const events = chat.events({ session: SESSION });
  try {
    await events.subscribe();
    await chat.sessionPrepare({
      session: SESSION,
      environment,
      brandId: Number(values.brand),
      channelId: values.channel!,
      customer: { firstName: "Kiosk", lastName: "Visitor" },
    });
    for (const [url, title] of [["kiosk://home", "Home"], ["kiosk://orders", "My orders"]] as const) {
      await chat.analyticsPageView({ session: SESSION, url, title });
    }
    await chat.analyticsChatWindowOpen({ session: SESSION });
    await chat.sessionConnect({ session: SESSION });
    const thread = await chat.threadsCreate({ session: SESSION });
    console.log(`you: ${message}`);
    await chat.threadSend({ session: SESSION, threadId: thread.id, text: message });
    for await (const e of events) {
      const line = show(e, thread.id);
      if (line) console.log(line);
      if (e.kind === "message.created" && e.data.message.author?.type === "agent") break;
    }
    await chat.threadEndContact({ session: SESSION, threadId: thread.id });
    for await (const e of events) {
      const line = show(e, thread.id);
      if (line) console.log(line);
      if (e.kind === "contact.status" && e.data.status === "closed") break;
    }
    await chat.analyticsPageViewEnded({ session: SESSION, url: "kiosk://orders", title: "My orders" });
    await chat.sessionClose({ session: SESSION });
  } finally {
    chat.close();
  }
}

kiosk().catch((e: unknown) => {
  console.error(`error: ${e instanceof RpcError ? e.message : String(e)}`);
  process.exit(1);
});
