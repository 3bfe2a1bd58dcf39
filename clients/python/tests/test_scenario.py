"""The common scenario of every client, against the real daemon and emulator: prepare, connect,
create a thread, send, receive the agent's reply, end the contact."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from conftest import Daemon, Emulator

from cxone_chat import AsyncClient, Client, Event


def agent_reply(thread_id: str) -> Callable[[Event], bool]:
    def pred(e: Event) -> bool:
        m = e.data.get("message", {})
        return (
            e.kind == "message.created"
            and m.get("threadId") == thread_id
            and m.get("direction") == "outbound"
            and (m.get("author") or {}).get("type") == "agent"
        )

    return pred


def test_the_common_scenario_with_asyncio(daemon: Daemon, emulator: Emulator) -> None:
    async def scenario() -> None:
        async with await AsyncClient.connect(daemon.socket) as chat:
            events = chat.events(session="py")
            await events.subscribe()
            state = await chat.session_prepare(
                session="py",
                environment=emulator.environment(),
                brand_id=1000,
                channel_id="chat_live",
                customer={"id": "py-ada", "firstName": "Ada"},
            )
            assert (state["state"], state["mode"]) == ("prepared", "livechat")
            assert (await chat.session_connect(session="py"))["state"] == "ready"
            thread = await chat.threads_create(session="py")
            tid = thread["id"]
            sent = await chat.thread_send(session="py", thread_id=tid, text="hello from asyncio")
            assert sent["direction"] == "inbound" and sent["text"] == "hello from asyncio"
            reply = await events.wait_for(agent_reply(tid), timeout=15)
            assert reply.data["message"]["text"] == "You said: hello from asyncio"
            assert reply.session == "py" and reply.seq > 0
            await chat.thread_end_contact(session="py", thread_id=tid)
            closed = await events.wait_for(
                lambda e: e.kind == "contact.status" and e.data["status"] == "closed", timeout=15
            )
            assert closed.data["threadId"] == tid
            snapshot = await chat.threads_get(session="py", thread_id=tid)
            assert snapshot["thread"]["state"] == "closed"

    asyncio.run(scenario())


def test_the_common_scenario_blocking(daemon: Daemon, emulator: Emulator) -> None:
    with Client(daemon.socket) as chat:
        events = chat.events()
        chat.session_prepare(environment=emulator.environment(), brand_id=1000, channel_id="chat_live")
        chat.session_connect()
        tid = chat.threads_create()["id"]
        chat.thread_send(thread_id=tid, text="hello, blocking")
        # A plain for loop over the blocking stream.
        for reply in events:
            if agent_reply(tid)(reply):
                break
        assert reply.data["message"]["text"] == "You said: hello, blocking"
        assert [t["id"] for t in chat.threads_list()["threads"]] == [tid]
        chat.thread_end_contact(thread_id=tid)
        events.wait_for(lambda e: e.kind == "contact.status" and e.data["status"] == "closed", timeout=15)
        assert chat.threads_get(thread_id=tid)["thread"]["state"] == "closed"
