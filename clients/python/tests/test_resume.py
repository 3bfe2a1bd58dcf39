"""Event streams survive a daemon restart: they wait, re-subscribe with since, and surface
events.resyncRequired when the new daemon cannot replay. Calls reconnect by themselves."""

from __future__ import annotations

import asyncio

import pytest
from conftest import Daemon, Emulator

from cxone_chat import AsyncClient, CallTimeoutError, Client


def test_events_resume_after_a_daemon_restart_and_surface_the_resync(daemon: Daemon, emulator: Emulator) -> None:
    def prepare(session: str) -> dict[str, object]:
        return {"session": session, "environment": emulator.environment(), "brandId": 1000, "channelId": "chat_single"}

    async def scenario() -> None:
        chat = await AsyncClient.connect(daemon.socket)
        events = chat.events(kinds=["chat.stateChanged"])
        first = await events.subscribe()
        await chat.call("session.prepare", prepare("one"))
        e = await events.next(10)
        assert (e.kind, e.session, e.epoch) == ("chat.stateChanged", "one", first["epoch"])
        assert events.cursor == (e.epoch, e.seq)

        await asyncio.get_running_loop().run_in_executor(None, daemon.restart)
        # The old epoch cannot be replayed by the new daemon: the stream says so, then goes on.
        resync = await events.wait_for(lambda e: e.kind != "chat.stateChanged" or e.session != "one", 20)
        assert resync.resync_required, resync
        assert resync.data["reason"] == "epochChanged"
        assert resync.epoch != first["epoch"]
        # The calling connection died with the daemon; the next call reconnects.
        await chat.call("session.prepare", prepare("two"))
        e = await events.wait_for(lambda e: e.session == "two", 10)
        assert (e.kind, e.epoch) == ("chat.stateChanged", resync.epoch)
        await chat.close()

    asyncio.run(scenario())


def test_a_stream_without_resume_ends_when_the_daemon_stops(daemon: Daemon) -> None:
    async def scenario() -> list[str]:
        async with await AsyncClient.connect(daemon.socket) as chat:
            events = chat.events(resume=False)
            await events.subscribe()
            await asyncio.get_running_loop().run_in_executor(None, daemon.kill)
            return [e.kind async for e in events]

    kinds = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert set(kinds) <= {"daemon.shutdown"}, kinds


def test_since_replays_what_came_after_an_event(daemon: Daemon, emulator: Emulator) -> None:
    with Client(daemon.socket) as chat:
        live = chat.events(kinds=["chat.stateChanged"])
        chat.session_prepare(environment=emulator.environment(), brand_id=1000, channel_id="chat_single")
        preparing = live.next(10)
        prepared = live.next(10)
        assert [preparing.data["state"], prepared.data["state"]] == ["preparing", "prepared"]
        # A new stream from the first event replays the second, and only that.
        replay = chat.events(kinds=["chat.stateChanged"], since=(preparing.epoch, preparing.seq))
        assert replay.next(10) == prepared
        with pytest.raises(CallTimeoutError):
            replay.next(0.3)
