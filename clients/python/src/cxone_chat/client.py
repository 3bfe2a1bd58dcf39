"""The asyncio client: one connection for calls, one per event stream."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from ._generated import ERRORS_BY_CODE, AsyncMethods
from .errors import CallTimeoutError, DaemonUnavailableError, RpcError

#: Longest line read from the daemon; its own limit (``daemon.info`` → ``limits``) is smaller.
_LINE_LIMIT = 64 * 1024 * 1024


def default_socket() -> str:
    """``$CXONE_CHATD_SOCKET``, else the daemon's default: ``$XDG_RUNTIME_DIR/cxone-chatd/rpc.sock``,
    else ``/run/cxone-chatd/rpc.sock``."""
    if os.environ.get("CXONE_CHATD_SOCKET"):
        return os.environ["CXONE_CHATD_SOCKET"]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "cxone-chatd", "rpc.sock")
    return "/run/cxone-chatd/rpc.sock"


@dataclass(frozen=True)
class Event:
    """One ``events.event`` notification.

    ``kind`` is the event kind (``message.created``, ``agent.typing``, …) and ``data`` its data as
    described in the OpenRPC document's ``x-notifications``. ``epoch`` and ``seq`` place it in
    the daemon's stream; ``session`` is ``None`` for daemon-wide events.
    """

    kind: str
    data: dict[str, Any]
    session: str | None
    epoch: str
    seq: int
    subscription: str | None = field(default=None, compare=False)

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> Event:
        return cls(
            kind=str(p.get("kind", "")),
            data=p.get("data") or {},
            session=p.get("session"),
            epoch=str(p.get("epoch", "")),
            seq=int(p.get("seq", 0)),
            subscription=p.get("subscription"),
        )

    @property
    def resync_required(self) -> bool:
        """The daemon could not replay from where the stream was (it restarted, or the position
        is too old): events were lost, so re-read the state you depend on."""
        return self.kind == "events.resyncRequired"


class _Connection:
    """One socket to the daemon: requests out, answers matched by id, events into a queue."""

    def __init__(self, path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.path = path
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self.events: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.closed = False
        self._task = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, path: str, wait: float | None = None) -> _Connection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (wait or 0)
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(path, limit=_LINE_LIMIT)
                return cls(path, reader, writer)
            except OSError as e:
                if loop.time() >= deadline:
                    raise DaemonUnavailableError(path, e.strerror or str(e)) from None
                await asyncio.sleep(0.1)

    async def call(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        if self.closed:
            raise DaemonUnavailableError(self.path, "the daemon closed the connection")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        line = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        try:
            self._writer.write(line.encode() + b"\n")
            await self._writer.drain()
            answer = await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise CallTimeoutError(f"no answer to {method} within {timeout} s") from None
        except (ConnectionError, BrokenPipeError) as e:
            raise DaemonUnavailableError(self.path, str(e)) from None
        finally:
            self._pending.pop(request_id, None)
        if "error" in answer:
            err = answer["error"]
            code = int(err.get("code", 0))
            cls = ERRORS_BY_CODE.get(code, RpcError)
            raise cls(code, str(err.get("message", "")), err.get("data") or {}, method)
        return answer.get("result")

    async def _read(self) -> None:
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if isinstance(msg, dict) and msg.get("method") == "events.event":
                    self.events.put_nowait(msg.get("params") or {})
                elif isinstance(msg, dict) and isinstance(msg.get("id"), int):
                    future = self._pending.get(msg["id"])
                    if future is not None and not future.done():
                        future.set_result(msg)
        except (OSError, ValueError, asyncio.LimitOverrunError):
            pass
        finally:
            self.closed = True
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(
                        DaemonUnavailableError(self.path, "the daemon closed the connection")
                    )
            self.events.put_nowait(None)

    async def close(self) -> None:
        self.closed = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()


class AsyncClient(AsyncMethods):
    """A client of cxone-chatd for asyncio.

    Every API method is a coroutine named after it (``thread.send`` → :meth:`thread_send`,
    parameters in snake_case). Errors from the daemon raise :class:`RpcError` subclasses; a
    daemon that is not there raises :class:`DaemonUnavailableError`. After the daemon restarts,
    the next call reconnects by itself.
    """

    def __init__(self, socket: str | None = None, *, timeout: float = 30.0) -> None:
        self.socket = socket or default_socket()
        self.timeout = timeout
        self._conn: _Connection | None = None
        self._streams: list[EventStream] = []

    @classmethod
    async def connect(
        cls, socket: str | None = None, *, timeout: float = 30.0, wait: float | None = None
    ) -> AsyncClient:
        """Connects to the daemon; with ``wait``, gives it that many seconds to come up."""
        client = cls(socket, timeout=timeout)
        client._conn = await _Connection.open(client.socket, wait)
        return client

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = await _Connection.open(self.socket)
        return await self._conn.call(method, params, self.timeout)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Calls any method by name, with params by name."""
        return await self._call(method, params or {})

    def events(
        self,
        *,
        session: str | None = None,
        kinds: Iterable[str] | None = None,
        since: tuple[str, int] | None = None,
        resume: bool = True,
    ) -> EventStream:
        """An async iterator of :class:`Event` on a connection of its own.

        Subscribes on first use (``session`` and ``kinds`` filter; ``since=(epoch, seq)`` replays
        what came after that event). When the daemon goes away the stream waits for it and
        subscribes again from the last event it yielded; if the daemon cannot replay (it
        restarted), an ``events.resyncRequired`` event is yielded first (see
        :attr:`Event.resync_required`). With ``resume=False`` the iteration ends instead.
        """
        stream = EventStream(self.socket, session, list(kinds or []), since, resume, self.timeout)
        self._streams.append(stream)
        return stream

    async def close(self) -> None:
        for stream in self._streams:
            await stream.close()
        if self._conn is not None:
            await self._conn.close()

    async def __aenter__(self) -> AsyncClient:
        if self._conn is None:
            self._conn = await _Connection.open(self.socket)
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class EventStream:
    """Events of a subscription as an async iterator, resumed across daemon restarts."""

    def __init__(
        self,
        socket: str,
        session: str | None,
        kinds: list[str],
        since: tuple[str, int] | None,
        resume: bool,
        timeout: float,
    ) -> None:
        self.socket = socket
        self._session = session
        self._kinds = kinds
        self.cursor = since
        """``(epoch, seq)`` of the last event yielded: where a resumed subscription starts."""
        self._resume = resume
        self._timeout = timeout
        self._conn: _Connection | None = None
        self._closed = False

    async def subscribe(self) -> dict[str, Any]:
        """Subscribes now (iteration does it on first use); returns the subscription."""
        params: dict[str, Any] = {}
        if self._session is not None:
            params["session"] = self._session
        if self._kinds:
            params["kinds"] = self._kinds
        if self.cursor is not None:
            params["since"] = {"epoch": self.cursor[0], "seq": self.cursor[1]}
        conn = await _Connection.open(self.socket)
        try:
            result: dict[str, Any] = await conn.call("events.subscribe", params, self._timeout)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        if self.cursor is None:
            self.cursor = (result["epoch"], result["seq"])
        return result

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        while not self._closed:
            if self._conn is None:
                await self.subscribe()
            assert self._conn is not None
            params = await self._conn.events.get()
            if params is not None:
                event = Event.from_params(params)
                self.cursor = (event.epoch, event.seq)
                return event
            await self._conn.close()
            self._conn = None
            if not self._resume:
                break
            await self._wait_for_daemon()
        raise StopAsyncIteration

    async def next(self, timeout: float | None = None) -> Event:
        """The next event; raises :class:`CallTimeoutError` after ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self.__anext__(), timeout)
        except asyncio.TimeoutError:
            raise CallTimeoutError(f"no event within {timeout} s") from None

    async def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 30.0) -> Event:
        """The first event for which ``predicate`` is true, skipping the others."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = await self.next(max(0.0, deadline - loop.time()))
            if predicate(event):
                return event

    async def _wait_for_daemon(self) -> None:
        pause = 0.1
        while not self._closed:
            try:
                await self.subscribe()
                return
            except (DaemonUnavailableError, CallTimeoutError):
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)

    async def close(self) -> None:
        self._closed = True
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> EventStream:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
