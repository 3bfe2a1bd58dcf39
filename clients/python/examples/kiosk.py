#!/usr/bin/env python3
"""A kiosk's chat, start to finish: the customer browses two pages, opens the chat, talks to
the agent, and ends the conversation.

    cxone-chatd --sandbox &                       # a daemon with an emulated CXone
    python3 examples/kiosk.py "Where is my order?"

Against a real tenant pass --environment (``NA1``, ``EU1``, … or a JSON object with chatUrl and
socketUrl), --brand and --channel.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from cxone_chat import AsyncClient, Event, RpcError

SESSION = "kiosk"


def show(e: Event, thread_id: str) -> str | None:
    """A line for what the customer should see of an event, or None."""
    d = e.data
    if d.get("threadId", d.get("message", {}).get("threadId")) not in (None, thread_id):
        return None
    if e.kind == "message.created" and d["message"]["direction"] == "outbound":
        author = d["message"].get("author") or {}
        name = " ".join(filter(None, [author.get("firstName"), author.get("lastName")])) or "CXone"
        return f"{name}: {d['message']['text']}"
    if e.kind == "queue.position":
        return f"(you are number {d['position']} in the queue)"
    if e.kind == "agent.typing" and d["isTyping"]:
        return "(the agent is typing…)"
    if e.kind == "contact.status":
        return f"(the conversation is {d['status']})"
    return None


async def kiosk(args: argparse.Namespace) -> None:
    env: Any = None
    if args.environment:
        env = json.loads(args.environment) if args.environment.startswith("{") else args.environment
    async with await AsyncClient.connect(args.socket, wait=10) as chat:
        async with chat.events(session=SESSION) as events:
            await events.subscribe()
            await chat.session_prepare(
                session=SESSION,
                environment=env,
                brand_id=args.brand,
                channel_id=args.channel,
                customer={"firstName": "Kiosk", "lastName": "Visitor"},
            )
            for url, title in [("kiosk://home", "Home"), ("kiosk://orders", "My orders")]:
                await chat.analytics_page_view(session=SESSION, url=url, title=title)
            await chat.analytics_chat_window_open(session=SESSION)
            await chat.session_connect(session=SESSION)
            thread_id = (await chat.threads_create(session=SESSION))["id"]
            print(f"you: {args.message}")
            await chat.thread_send(session=SESSION, thread_id=thread_id, text=args.message)
            async for e in events:
                line = show(e, thread_id)
                if line:
                    print(line, flush=True)
                if e.kind == "message.created" and (e.data["message"].get("author") or {}).get("type") == "agent":
                    break
            await chat.thread_end_contact(session=SESSION, thread_id=thread_id)
            async for e in events:
                line = show(e, thread_id)
                if line:
                    print(line, flush=True)
                if e.kind == "contact.status" and e.data["status"] == "closed":
                    break
            await chat.analytics_page_view_ended(session=SESSION, url="kiosk://orders", title="My orders")
            await chat.session_close(session=SESSION)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("message", nargs="?", default="Hello from the kiosk!")
    p.add_argument("--socket", help="the daemon's socket (default: $CXONE_CHATD_SOCKET or the daemon's default)")
    p.add_argument("--environment", help="NA1, EU1, … or JSON {chatUrl, socketUrl}; default: the sandbox")
    p.add_argument("--brand", type=int, default=1000)
    p.add_argument("--channel", default="chat_live")
    args = p.parse_args()
    try:
        asyncio.run(asyncio.wait_for(kiosk(args), 60))
    except RpcError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
