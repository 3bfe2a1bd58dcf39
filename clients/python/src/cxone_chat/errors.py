"""Exceptions of the client. Every error the daemon answers with is an :class:`RpcError` (or
the subclass generated for its code, e.g. ``ThreadClosedError``) carrying ``code``,
``message`` and ``data`` as the daemon sent them."""

from __future__ import annotations

from typing import Any


class CxoneChatError(Exception):
    """Base class of every error raised by this package."""


class DaemonUnavailableError(CxoneChatError):
    """Nothing listens at the socket, or the daemon closed the connection."""

    def __init__(self, socket: str, detail: str) -> None:
        self.socket = socket
        self.detail = detail
        super().__init__(
            f"daemon not running at {socket} ({detail}); start it with "
            f"`cxone-chatd --socket {socket}` (or `cxone-chatd --sandbox` to try it without a "
            "CXone account)"
        )


class CallTimeoutError(CxoneChatError, TimeoutError):
    """The daemon did not answer a call in time."""


class RpcError(CxoneChatError):
    """The daemon answered a call with a JSON-RPC error.

    Attributes:
        code: the JSON-RPC error code (see ``components.errors`` of the OpenRPC document).
        message: the daemon's message, which says what to do.
        data: the error's ``data`` object (``kind``, ``retryable``, maybe ``field``, ``detail``).
        method: the method that failed.
    """

    def __init__(self, code: int, message: str, data: dict[str, Any], method: str) -> None:
        self.code = code
        self.message = message
        self.data = data
        self.method = method
        text = f"{method} failed: {message} [{self.kind} {code}]"
        if self.field:
            text += f"; field: {self.field}"
        if data.get("detail"):
            text += f"; {data['detail']}"
        super().__init__(text)

    @property
    def kind(self) -> str:
        """The error's stable name (``data.kind``), e.g. ``threadClosed``."""
        return str(self.data.get("kind", "error"))

    @property
    def retryable(self) -> bool:
        """Whether repeating the same call later may succeed (``data.retryable``)."""
        return bool(self.data.get("retryable", False))

    @property
    def field(self) -> str | None:
        """The parameter at fault (``data.field``), if the daemon named one."""
        f = self.data.get("field")
        return f if isinstance(f, str) else None
