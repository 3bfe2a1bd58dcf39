"""A client of cxone-chatd, the NICE CXone chat daemon, over its local socket.

Standard library only. ``AsyncClient`` for asyncio, ``Client`` for blocking code; both have one
method per API method (generated from the daemon's OpenRPC document) and an event stream that
resumes where it left off when the daemon restarts.

    async with await AsyncClient.connect() as chat:
        await chat.session_prepare(brand_id=1000, channel_id="chat_single")
"""

from . import _generated
from ._generated import *  # noqa: F403 - the error classes, one per code
from ._generated import API_VERSION, ERRORS_BY_CODE
from .client import AsyncClient, Event, EventStream, default_socket
from .errors import CallTimeoutError, CxoneChatError, DaemonUnavailableError, RpcError
from .sync import Client, SyncEventStream

__all__ = [
    "API_VERSION",
    "ERRORS_BY_CODE",
    "AsyncClient",
    "CallTimeoutError",
    "Client",
    "CxoneChatError",
    "DaemonUnavailableError",
    "Event",
    "EventStream",
    "RpcError",
    "SyncEventStream",
    "default_socket",
]
__all__ += _generated.__all__
