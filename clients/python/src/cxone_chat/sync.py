"""The blocking client: the asyncio client run on a private event loop in a background thread,
so both behave the same (reconnecting calls, resuming event streams)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from ._generated import SyncMethods
from .client import AsyncClient, Event, EventStream

T = TypeVar("T")


class _Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="cxone-chat", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class Client(SyncMethods):
    """A blocking client of cxone-chatd: every API method as a plain method (``thread.send`` →
    :meth:`thread_send`), the same errors as :class:`AsyncClient`, and :meth:`events` as an
    iterator.

        with Client() as chat:
            print(chat.daemon_info()["version"])
    """

    def __init__(
        self, socket: str | None = None, *, timeout: float = 30.0, wait: float | None = None
    ) -> None:
        self._loop = _Loop()
        try:
            self._client = self._loop.run(AsyncClient.connect(socket, timeout=timeout, wait=wait))
        except BaseException:
            self._loop.stop()
            raise
        self.socket = self._client.socket

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        return self._loop.run(self._client._call(method, params))

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Calls any method by name, with params by name."""
        return self._call(method, params or {})

    def events(
        self,
        *,
        session: str | None = None,
        kinds: Iterable[str] | None = None,
        since: tuple[str, int] | None = None,
        resume: bool = True,
    ) -> SyncEventStream:
        """An iterator of :class:`Event`, resumed across daemon restarts; see
        :meth:`AsyncClient.events`. Subscribes at once."""
        stream = self._client.events(session=session, kinds=kinds, since=since, resume=resume)
        self._loop.run(stream.subscribe())
        return SyncEventStream(stream, self._loop)

    def close(self) -> None:
        self._loop.run(self._client.close())
        self._loop.stop()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SyncEventStream:
    """The blocking face of :class:`EventStream`."""

    def __init__(self, stream: EventStream, loop: _Loop) -> None:
        self._stream = stream
        self._loop = loop

    @property
    def cursor(self) -> tuple[str, int] | None:
        """``(epoch, seq)`` of the last event yielded."""
        return self._stream.cursor

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        try:
            return self._loop.run(self._stream.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def next(self, timeout: float | None = None) -> Event:
        """The next event; raises :class:`CallTimeoutError` after ``timeout`` seconds."""
        return self._loop.run(self._stream.next(timeout))

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 30.0) -> Event:
        """The first event for which ``predicate`` is true, skipping the others."""
        return self._loop.run(self._stream.wait_for(predicate, timeout))

    def close(self) -> None:
        self._loop.run(self._stream.close())
