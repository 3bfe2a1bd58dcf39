"""Errors come as typed exceptions carrying the daemon's code, message and data."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from conftest import Daemon

from cxone_chat import (
    AsyncClient,
    CallTimeoutError,
    Client,
    DaemonUnavailableError,
    InvalidParamsError,
    MethodNotFoundError,
    RpcError,
    UnknownSessionError,
)


def test_daemon_errors_are_typed_with_code_kind_field_and_message(daemon: Daemon) -> None:
    with Client(daemon.socket) as chat:
        with pytest.raises(UnknownSessionError) as e:
            chat.thread_send(thread_id="nope", text="x", session="ghost")
        assert e.value.code == 3000 and e.value.kind == "unknownSession" and not e.value.retryable
        assert e.value.message.startswith("No session with this name.")
        assert e.value.method == "thread.send"
        assert str(e.value).startswith("thread.send failed: No session with this name.")

        with pytest.raises(InvalidParamsError) as bad:
            chat.call("daemon.setLogLevel", {"level": "info", "bogus": 1})
        assert bad.value.code == -32602 and bad.value.field == "bogus"

        with pytest.raises(MethodNotFoundError) as missing:
            chat.call("no.such.method")
        assert isinstance(missing.value, RpcError) and missing.value.data["kind"] == "methodNotFound"
        # The connection is still usable after errors.
        assert chat.daemon_info()["protocolVersion"]


def test_a_missing_daemon_says_where_and_how_to_start_it() -> None:
    with tempfile.TemporaryDirectory() as d:
        socket = str(Path(d) / "none.sock")
        with pytest.raises(DaemonUnavailableError) as e:
            Client(socket)
        assert f"daemon not running at {socket}" in str(e.value)
        assert "start it with `cxone-chatd --socket" in str(e.value)

        async def connect() -> None:
            await AsyncClient.connect(socket, wait=0.3)

        with pytest.raises(DaemonUnavailableError):
            asyncio.run(connect())


def test_a_slow_answer_is_a_call_timeout(daemon: Daemon) -> None:
    with Client(daemon.socket, timeout=0.3) as chat:
        with pytest.raises(CallTimeoutError, match="events.poll"):
            chat.events_poll(timeout_ms=5000)
