"""The API methods and error classes, generated from protocol/openrpc.json by
scripts/generate.py. Do not edit: run the script (tests fail when this file is stale).
"""

from __future__ import annotations

from typing import Any, cast

from .errors import RpcError

API_VERSION = "0.1.0"
"""The version of the OpenRPC document this module was generated from."""


def _params(p: dict[str, Any]) -> dict[str, Any]:
    """Leaves out the parameters that were not given."""
    return {k: v for k, v in p.items() if v is not None}


class ParseError(RpcError):
    """-32700 parseError.

    Parse error: the line is not valid UTF-8 JSON. Send exactly one JSON-RPC message (or batch
    array) per line.
    """


class InternalError(RpcError):
    """-32603 internalError.

    Internal error in the daemon. Please report it with error.data.correlationId; the daemon
    keeps running.
    """


class InvalidParamsError(RpcError):
    """-32602 invalidParams.

    Invalid params: pass parameters by name as a JSON object matching the method's schema;
    error.data.field names the offending parameter.
    """


class MethodNotFoundError(RpcError):
    """-32601 methodNotFound.

    Method not found: check the method name against rpc.discover.
    """


class InvalidRequestError(RpcError):
    """-32600 invalidRequest.

    Invalid request: this is not a JSON-RPC 2.0 request object. It needs "jsonrpc": "2.0", a
    string "method" and, for a call, an "id"; see error.data.detail.
    """


class StorageDamagedError(RpcError):
    """-32012 storageDamaged.

    A state file of the daemon was damaged. What could be read was kept; error.data.detail says
    what was lost and where the damaged file was moved for inspection.
    """


class StorageUnavailableError(RpcError):
    """-32011 storageUnavailable.

    The daemon's state directory cannot be written (read-only, wrong permissions or a failing
    disk). Make it writable for the daemon's user and retry.
    """


class StorageFullError(RpcError):
    """-32010 storageFull.

    The daemon's state directory is full, so the message could not be kept safe. Free space on
    the file system of the state directory (daemon.status shows it) and retry.
    """


class RequestCancelledError(RpcError):
    """-32004 requestCancelled.

    The request was cancelled before it completed (session closed or daemon stopping). Retry it
    if it is still needed.
    """


class OverloadedError(RpcError):
    """-32003 overloaded.

    The daemon is overloaded or this client fell behind. Slow down and retry; re-subscribe to
    events with since to catch up.
    """


class PeerNotAuthorizedError(RpcError):
    """-32002 peerNotAuthorized.

    This client's user is not allowed to use the daemon. Run it as an allowed user or group (see
    the daemon's configuration).
    """


class DaemonNotReadyError(RpcError):
    """-32001 daemonNotReady.

    The daemon is starting and not ready yet. Retry in a moment; daemon.status reports when it
    is ready.
    """


class AuthorizationRequiredError(RpcError):
    """1000 authorizationRequired.

    This channel requires customer login. Call customer.authorize with an authorization code
    (and PKCE verifier) from your identity provider, then connect again.
    """


class AuthorizationFailedError(RpcError):
    """1001 authorizationFailed.

    The back end rejected the customer's authorization. Get a new authorization code from your
    identity provider and call customer.authorize again.
    """


class TokenExpiredError(RpcError):
    """1002 tokenExpired.

    The customer's access token expired and cannot be renewed silently. Get a new authorization
    code and call customer.authorize.
    """


class TokenRefreshFailedError(RpcError):
    """1003 tokenRefreshFailed.

    Refreshing the customer's access token failed. Get a new authorization code from your
    identity provider and call customer.authorize.
    """


class BackendUnavailableError(RpcError):
    """2000 backendUnavailable.

    The CXone back end cannot be reached. Check the network; retry later (the daemon also
    reconnects by itself).
    """


class BackendRejectedError(RpcError):
    """2001 backendRejected.

    The CXone back end rejected the request; error.data.backendCode and error.data.backendStatus
    carry its answer.
    """


class OperationTimeoutError(RpcError):
    """2002 timeout.

    The CXone back end did not answer in time. Retry the call.
    """


class ChannelUnavailableError(RpcError):
    """2003 channelUnavailable.

    The channel's configuration could not be loaded. Check environment, brandId and channelId in
    session.prepare.
    """


class VersionNotSupportedError(RpcError):
    """2004 versionNotSupported.

    The CXone back end no longer supports this version of cxone-chatd. Upgrade the daemon.
    """


class UnknownSessionError(RpcError):
    """3000 unknownSession.

    No session with this name. Call session.prepare for it first (omit "session" to use
    "default").
    """


class NotPreparedError(RpcError):
    """3001 notPrepared.

    The session is not prepared. Call session.prepare (or app.foreground) first.
    """


class NotConnectedError(RpcError):
    """3002 notConnected.

    The session is not connected. Call session.connect, or wait for connection.restored if the
    daemon is reconnecting, then retry.
    """


class IllegalChatStateError(RpcError):
    """3003 illegalChatState.

    This call is not allowed in the session's current chat state (see session.state);
    error.data.detail says which states allow it.
    """


class SessionConflictError(RpcError):
    """3004 sessionConflict.

    A session with this name already exists for another brand, channel or environment. Close it
    with session.close or use another session name.
    """


class UnsupportedInModeError(RpcError):
    """3005 unsupportedInMode.

    This call is not available in the channel's chat mode (see session.state mode), for example
    a second thread in single-thread mode.
    """


class FeatureDisabledError(RpcError):
    """3006 featureDisabled.

    The channel's configuration disables this feature. Ask the CXone administrator to enable it
    for the channel.
    """


class ChatOfflineError(RpcError):
    """3007 chatOffline.

    Live chat is offline (no agents available). Try again later; the chat state stays offline
    until then.
    """


class InvalidParameterError(RpcError):
    """3008 invalidParameter.

    A parameter has an unacceptable value; error.data.field names it and error.data.detail says
    why. Fix the value and call again.
    """


class UnknownThreadError(RpcError):
    """3100 unknownThread.

    No thread with this id in the session. Call threads.list (or threads.load) to get the
    current thread ids.
    """


class ThreadClosedError(RpcError):
    """3101 threadClosed.

    The thread is closed or archived and takes no more messages. Create a new one with
    threads.create.
    """


class IllegalThreadStateError(RpcError):
    """3102 illegalThreadState.

    This call is not allowed in the thread's current state (see the thread's state);
    error.data.detail says why.
    """


class NoMoreMessagesError(RpcError):
    """3103 noMoreMessages.

    There are no older messages in this thread. Stop calling thread.loadMore for it.
    """


class PreChatSurveyIncompleteError(RpcError):
    """3104 preChatSurveyIncomplete.

    The pre-chat survey is incomplete. Read it with threads.preChatSurvey and pass every
    required field in customFields of threads.create.
    """


class AttachmentRejectedError(RpcError):
    """3105 attachmentRejected.

    The attachment was rejected; error.data.detail says why (file type, size, unreadable path,
    or attachments disabled). Send a supported file.
    """


__all__ = [
    "AttachmentRejectedError",
    "AuthorizationFailedError",
    "AuthorizationRequiredError",
    "BackendRejectedError",
    "BackendUnavailableError",
    "ChannelUnavailableError",
    "ChatOfflineError",
    "DaemonNotReadyError",
    "FeatureDisabledError",
    "IllegalChatStateError",
    "IllegalThreadStateError",
    "InternalError",
    "InvalidParameterError",
    "InvalidParamsError",
    "InvalidRequestError",
    "MethodNotFoundError",
    "NoMoreMessagesError",
    "NotConnectedError",
    "NotPreparedError",
    "OverloadedError",
    "ParseError",
    "PeerNotAuthorizedError",
    "PreChatSurveyIncompleteError",
    "RequestCancelledError",
    "SessionConflictError",
    "StorageDamagedError",
    "StorageFullError",
    "StorageUnavailableError",
    "ThreadClosedError",
    "OperationTimeoutError",
    "TokenExpiredError",
    "TokenRefreshFailedError",
    "UnknownSessionError",
    "UnknownThreadError",
    "UnsupportedInModeError",
    "VersionNotSupportedError",
]
"""The generated error classes (re-exported by the package)."""

ERRORS_BY_CODE: dict[int, type[RpcError]] = {
    -32700: ParseError,
    -32603: InternalError,
    -32602: InvalidParamsError,
    -32601: MethodNotFoundError,
    -32600: InvalidRequestError,
    -32012: StorageDamagedError,
    -32011: StorageUnavailableError,
    -32010: StorageFullError,
    -32004: RequestCancelledError,
    -32003: OverloadedError,
    -32002: PeerNotAuthorizedError,
    -32001: DaemonNotReadyError,
    1000: AuthorizationRequiredError,
    1001: AuthorizationFailedError,
    1002: TokenExpiredError,
    1003: TokenRefreshFailedError,
    2000: BackendUnavailableError,
    2001: BackendRejectedError,
    2002: OperationTimeoutError,
    2003: ChannelUnavailableError,
    2004: VersionNotSupportedError,
    3000: UnknownSessionError,
    3001: NotPreparedError,
    3002: NotConnectedError,
    3003: IllegalChatStateError,
    3004: SessionConflictError,
    3005: UnsupportedInModeError,
    3006: FeatureDisabledError,
    3007: ChatOfflineError,
    3008: InvalidParameterError,
    3100: UnknownThreadError,
    3101: ThreadClosedError,
    3102: IllegalThreadStateError,
    3103: NoMoreMessagesError,
    3104: PreChatSurveyIncompleteError,
    3105: AttachmentRejectedError,
}
"""The exception class for each error code of the API."""


class AsyncMethods:
    """Every API method as a coroutine; AsyncClient provides _call."""

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    async def rpc_discover(self) -> dict[str, Any]:
        """Returns the OpenRPC document describing every method, error and event of this API.

        The same document is committed as `protocol/openrpc.json`.
        """
        return cast('dict[str, Any]', await self._call("rpc.discover", {}))

    async def daemon_info(self) -> dict[str, Any]:
        """Returns the daemon's version, protocol version, capabilities and limits.

        Cheap and always available, even before the daemon is ready: use it to check that the socket
        works and which protocol version the daemon speaks.
        """
        return cast('dict[str, Any]', await self._call("daemon.info", {}))

    async def daemon_status(self) -> dict[str, Any]:
        """Returns the daemon's health: readiness, uptime, sessions with their chat and connection state, clients and queue depths.
        """
        return cast('dict[str, Any]', await self._call("daemon.status", {}))

    async def daemon_set_log_level(self, *, level: str, target: str | None = None) -> dict[str, Any]:
        """Changes the daemon's log level, for everything or for one module.

        The change lasts until the daemon restarts or its configuration is reloaded.

        Args:
            level: The new level.
            target: A module path (e.g. `cxone_chatd::gateway`) to change only its level.

        Raises:
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("daemon.setLogLevel", _params({"level": level, "target": target})))

    async def events_subscribe(
        self,
        *,
        kinds: list[str] | None = None,
        session: str | None = None,
        since: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Starts pushing events to this connection, after replaying those newer than since.

        Events newer than `since` are replayed first (strictly greater: pass the last `seq` you
        handled), then live events follow as `events.event` notifications on this connection until
        `events.unsubscribe` or disconnect. Without `since`, only events after the call are sent.
        Daemon-wide kinds (`daemon.shutdown`, `events.*`) are sent whatever the filters.

        Args:
            kinds: Only these kinds; every kind when left out or empty.
            session: Only events of this session; events of every session when left out.
            since: Replay the buffered events after this position first.

        Raises:
            OverloadedError: -32003 overloaded.
        """
        return cast('dict[str, Any]', await self._call("events.subscribe", _params({"kinds": kinds, "session": session, "since": since})))

    async def events_unsubscribe(self, *, subscription: int) -> dict[str, Any]:
        """Stops a subscription of this connection.

        Args:
            subscription: The subscription to stop.
        """
        return cast('dict[str, Any]', await self._call("events.unsubscribe", _params({"subscription": subscription})))

    async def events_poll(
        self,
        *,
        kinds: list[str] | None = None,
        limit: int | None = None,
        session: str | None = None,
        since: dict[str, Any] | None = None,
        timeout_ms: int | None = None,
    ) -> dict[str, Any]:
        """Returns the events newer than since, waiting up to timeoutMs for the first one.

        For clients that cannot take notifications: returns at once when events newer than `since`
        exist, otherwise waits up to `timeoutMs` for one. Call again with `since = next`.

        Args:
            kinds: Only these kinds; every kind when left out or empty.
            limit: The most events to return; the daemon's own maximum when left out.
            session: Only events of this session; every session when left out.
            since: Return events after this position; only events after the call when left out.
            timeout_ms: How long to wait for an event when none is ready, in milliseconds; 0 (the
                default) returns at once. Capped at `daemon.info`'s `limits.maxPollTimeoutMs`.

        Raises:
            RequestCancelledError: -32004 requestCancelled.
        """
        return cast('dict[str, Any]', await self._call("events.poll", _params({"kinds": kinds, "limit": limit, "session": session, "since": since, "timeoutMs": timeout_ms})))

    async def session_prepare(
        self,
        *,
        brand_id: int,
        channel_id: str,
        customer: dict[str, Any] | None = None,
        environment: dict[str, Any] | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Prepares a session for a brand and channel: loads the channel configuration and registers the visitor.

        Creates the session if needed, loads the channel configuration and registers the visitor;
        the chat state goes `initial → preparing → prepared`. Calling it again for a prepared
        session with the same back end, brand and channel is harmless and returns its state.

        Args:
            brand_id: The CXone brand (tenant) id.
            channel_id: The channel id, e.g. `chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4`.
            customer: Who the customer is, as far as the host application knows.
            environment: The back end: a named environment (`"EU1"`) or custom URLs. Omitted, it is
                the daemon's embedded emulator when the daemon runs with `--sandbox` (and an error
                otherwise).
            session: The session to prepare (created when new); `"default"` when left out.

        Raises:
            SessionConflictError: 3004 sessionConflict.
            IllegalChatStateError: 3003 illegalChatState.
            ChannelUnavailableError: 2003 channelUnavailable.
            VersionNotSupportedError: 2004 versionNotSupported.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("session.prepare", _params({"brandId": brand_id, "channelId": channel_id, "customer": customer, "environment": environment, "session": session})))

    async def session_connect(self, *, session: str | None = None) -> dict[str, Any]:
        """Connects the session to the back end and recovers its threads.

        Resolves once the chat is `ready` (threads recovered), or `offline` for a live chat with no
        agent available; `chat.stateChanged` events report the steps. Requires customer login first
        (`customer.authorize`) on channels that use it.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            AuthorizationRequiredError: 1000 authorizationRequired.
            AuthorizationFailedError: 1001 authorizationFailed.
            TokenExpiredError: 1002 tokenExpired.
            ChatOfflineError: 3007 chatOffline.
            BackendUnavailableError: 2000 backendUnavailable.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
            RequestCancelledError: -32004 requestCancelled.
        """
        return cast('dict[str, Any]', await self._call("session.connect", _params({"session": session})))

    async def session_disconnect(self, *, session: str | None = None) -> dict[str, Any]:
        """Closes the session's connection to the back end; the chat state returns to prepared.

        The session stays prepared and keeps its threads; nothing is lost.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', await self._call("session.disconnect", _params({"session": session})))

    async def session_state(self, *, session: str | None = None) -> dict[str, Any]:
        """Returns the session's chat state, mode, connection state and channel facts.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', await self._call("session.state", _params({"session": session})))

    async def session_close(
        self,
        *,
        forget: bool | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Disconnects the session and removes it from the daemon.

        With `forget`, the session's persisted state (visitor id, customer id, tokens) is deleted
        too, as a sign-out; otherwise the next `session.prepare` of this name resumes it.

        Args:
            forget: Also delete the session's persisted state (sign out).
            session: The session to close; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', await self._call("session.close", _params({"forget": forget, "session": session})))

    async def session_execute_trigger(
        self,
        *,
        trigger_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Runs a proactive-chat trigger by id.

        The result, if the trigger's conditions hold, arrives as a `proactive.action` event.

        Args:
            trigger_id: The trigger's id (a UUID), as configured in CXone.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("session.executeTrigger", _params({"triggerId": trigger_id, "session": session})))

    async def session_availability(self, *, session: str | None = None) -> dict[str, Any]:
        """Says whether the channel has an agent available now, without connecting.

        Asks the back end whether an agent is available, without opening a connection (Android's and
        the web SDK's `getChannelAvailability`). The answer is reused for 60 s, as both SDKs do, and
        is the same one `session.connect` goes by on a live-chat channel. An extension beyond
        PRODUCT.md §3 (docs/parity.md).

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("session.availability", _params({"session": session})))

    async def session_send_offline_message(
        self,
        *,
        email: str,
        message: str,
        name: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Leaves a message with the contact centre while no agent is available (the offline form).

        The offline form (web SDK `sendOfflineMessage`): a message the contact centre answers by
        e-mail, for when no agent is available. It needs no `session.connect`: a session that is not
        connected (a live chat `offline` opens no socket) opens one for this message only. An
        extension beyond PRODUCT.md §3 (docs/parity.md).

        Args:
            email: The e-mail address the answer goes to.
            message: The message.
            name: The customer's full name; the last word is sent as the last name, as the web SDK
                does.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            InvalidParameterError: 3008 invalidParameter.
            AuthorizationRequiredError: 1000 authorizationRequired.
            BackendUnavailableError: 2000 backendUnavailable.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("session.sendOfflineMessage", _params({"email": email, "message": message, "name": name, "session": session})))

    async def app_foreground(self, *, session: str | None = None) -> dict[str, Any]:
        """Tells the daemon the host application became active.

        Prepares again if needed, starts or extends the analytics visit, reconnects if the session
        was connected before going to the background, re-authorizes the customer and recovers the
        threads. The session must have been prepared once (`session.prepare`).

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', await self._call("app.foreground", _params({"session": session})))

    async def app_background(
        self,
        *,
        disconnect: bool | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Tells the daemon the host application went to the background.

        Sends the time spent on the current page, stops page-view timing and, if configured (or
        asked with `disconnect`), drops the connection while keeping all state.

        Args:
            disconnect: Whether to drop the connection; the daemon's configuration decides when left
                out.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', await self._call("app.background", _params({"disconnect": disconnect, "session": session})))

    async def customer_get(self, *, session: str | None = None) -> dict[str, Any]:
        """Returns the session's customer: id, names, login state and custom fields.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', await self._call("customer.get", _params({"session": session})))

    async def customer_set(
        self,
        *,
        first_name: str | None = None,
        id: str | None = None,
        last_name: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sets the customer's id or names.

        Names can change at any time and reach agents with the next message. The id can only be set
        before the session's first `session.prepare`; afterwards it is fixed (or given by the
        identity provider after login).

        Args:
            first_name: First name.
            id: The host's own customer id (only before the first prepare).
            last_name: Last name.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            IllegalChatStateError: 3003 illegalChatState.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("customer.set", _params({"firstName": first_name, "id": id, "lastName": last_name, "session": session})))

    async def customer_set_device_token(
        self,
        *,
        device_token: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Registers the push-notification token of the device, so the contact centre can reach the customer while disconnected.

        Args:
            device_token: The push token (APNs as hex, or FCM).
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("customer.setDeviceToken", _params({"deviceToken": device_token, "session": session})))

    async def customer_authorize(
        self,
        *,
        authorization_code: str,
        code_verifier: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Logs the customer in with an authorization code (and PKCE verifier) from the channel's identity provider.

        The code is single-use. When the session is not connected, it is kept for the next
        `session.connect`; when it is, the session connects again with it at once and answers once
        the chat is ready. When the login is another customer's, the last customer's threads are
        dropped (`threads.updated`).

        Args:
            authorization_code: The authorization code the identity provider issued.
            code_verifier: The PKCE code verifier that goes with it, when the login used PKCE.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            FeatureDisabledError: 3006 featureDisabled.
            AuthorizationFailedError: 1001 authorizationFailed.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("customer.authorize", _params({"authorizationCode": authorization_code, "codeVerifier": code_verifier, "session": session})))

    async def customer_set_custom_fields(
        self,
        *,
        custom_fields: dict[str, Any],
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sets custom fields of the customer (shared by all threads).

        Values are merged into the existing fields; fields not named keep their value. They are sent
        to the back end at once when connected, otherwise with the next message.

        Args:
            custom_fields: The values to set, by ident.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("customer.setCustomFields", _params({"customFields": custom_fields, "session": session})))

    async def analytics_page_view(
        self,
        *,
        title: str,
        url: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Reports that the customer opened a page (screen) of the host application.

        If another page was being viewed, its time on page is reported first.

        Args:
            title: The page's title, e.g. `Basket`.
            url: The page's identifier; any URL-like string, e.g. `app://basket`.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("analytics.pageView", _params({"title": title, "url": url, "session": session})))

    async def analytics_page_view_ended(
        self,
        *,
        title: str,
        url: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Reports that the customer left the page, with the time spent on it.

        Ignored unless `title` and `url` match the page last reported by `analytics.pageView`.

        Args:
            title: The page's title, e.g. `Basket`.
            url: The page's identifier; any URL-like string, e.g. `app://basket`.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("analytics.pageViewEnded", _params({"title": title, "url": url, "session": session})))

    async def analytics_chat_window_open(self, *, session: str | None = None) -> dict[str, Any]:
        """Reports that the customer opened the chat window.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("analytics.chatWindowOpen", _params({"session": session})))

    async def analytics_conversion(
        self,
        *,
        conversion_type: str,
        conversion_value: float,
        session: str | None = None,
        time: str | None = None,
    ) -> dict[str, Any]:
        """Reports a conversion (e.g. a purchase) with its type and value.

        Args:
            conversion_type: What kind of conversion, e.g. `purchase`.
            conversion_value: Its value, e.g. the amount.
            session: The session; `"default"` when left out.
            time: When it happened; now when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("analytics.conversion", _params({"conversionType": conversion_type, "conversionValue": conversion_value, "session": session, "time": time})))

    async def analytics_proactive_action(
        self,
        *,
        action_id: str,
        action_name: str,
        action_type: str,
        outcome: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Reports what happened to a proactive action: displayed, clicked, success or failed.

        Args:
            action_id: The action's id, from the `proactive.action` event.
            action_name: The action's name, from the event.
            action_type: The action's type, from the event.
            outcome: What happened.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("analytics.proactiveAction", _params({"actionId": action_id, "actionName": action_name, "actionType": action_type, "outcome": outcome, "session": session})))

    async def analytics_custom_visitor_event(
        self,
        *,
        data: Any,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sends a custom visitor event: any JSON value the contact centre has agreed with the host.

        Android's `customVisitor`: any JSON value, sent over the connection as a
        `StoreVisitorEvents` frame exactly as Android sends it (labelled `ProactiveActionDisplayed`,
        an SDK quirk the back end expects). Unlike the other analytics it needs a connection. An
        extension beyond PRODUCT.md §3 (docs/parity.md).

        Args:
            data: The event: any JSON value but `null`.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("analytics.customVisitorEvent", _params({"data": data, "session": session})))

    async def threads_list(self, *, session: str | None = None) -> dict[str, Any]:
        """Returns the session's threads, without their messages.

        Without network traffic: the list is kept current by the daemon (`threads.updated`).

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
        """
        return cast('dict[str, Any]', await self._call("threads.list", _params({"session": session})))

    async def threads_create(
        self,
        *,
        custom_fields: dict[str, Any] | None = None,
        name: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Creates a new thread.

        The thread is `pending` (unknown to the back end) until its first message is sent; the
        welcome message, if any, is already in it. Single-thread and live-chat channels allow one
        open thread. Pre-chat survey answers go in `customFields`.

        Args:
            custom_fields: Contact custom fields, including the pre-chat survey answers, by ident.
            name: The thread's name (multi-thread channels).
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnsupportedInModeError: 3005 unsupportedInMode.
            PreChatSurveyIncompleteError: 3104 preChatSurveyIncomplete.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("threads.create", _params({"customFields": custom_fields, "name": name, "session": session})))

    async def threads_load(
        self,
        *,
        session: str | None = None,
        thread_id: str | None = None,
    ) -> dict[str, Any] | None:
        """Loads a thread's history from the back end and returns it.

        Without `threadId`: the session's current thread in single-thread and live-chat channels, or
        `null` when the customer has none yet (which is normal; create one with `threads.create`).
        Loads the newest messages; `thread.loadMore` fetches older ones. A thread the back end does
        not know yet (created here, its first message still queued) comes back as the daemon holds
        it; one that neither knows is `null`.

        Args:
            session: The session; `"default"` when left out.
            thread_id: The thread; the current one (single-thread, live chat) when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any] | None', await self._call("threads.load", _params({"session": session, "threadId": thread_id})))

    async def threads_get(self, *, thread_id: str, session: str | None = None) -> dict[str, Any]:
        """Returns a thread with the messages the daemon holds for it.

        Returns the messages loaded so far without asking the back end.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            UnknownThreadError: 3100 unknownThread.
        """
        return cast('dict[str, Any]', await self._call("threads.get", _params({"threadId": thread_id, "session": session})))

    async def threads_pre_chat_survey(self, *, session: str | None = None) -> dict[str, Any] | None:
        """Returns the channel's pre-chat survey, or null when it has none.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
        """
        return cast('dict[str, Any] | None', await self._call("threads.preChatSurvey", _params({"session": session})))

    async def thread_send(
        self,
        *,
        thread_id: str,
        attachments: list[dict[str, Any]] | None = None,
        client_message_id: str | None = None,
        postback: str | None = None,
        session: str | None = None,
        text: str | None = None,
    ) -> dict[str, Any]:
        """Sends a message (text, postback, attachments) in a thread.

        Needs `text`, `postback` or at least one attachment. Returns at once with the message in
        status `queued` (waiting for the connection) or `sent`; `message.updated` events follow
        (`delivered`, `seen`, `read`, or `failed` with the error). To answer a button, send its text
        and postback. Sending to a `pending` thread creates it on the back end.

        Args:
            thread_id: The thread.
            attachments: Files to attach.
            client_message_id: A UUID of your choosing that becomes the message id; sending again
                with the same id does not send the message twice. The daemon mints one when left out.
            postback: The postback of the button being answered.
            session: The session; `"default"` when left out.
            text: The text.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
            AttachmentRejectedError: 3105 attachmentRejected.
            InvalidParameterError: 3008 invalidParameter.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("thread.send", _params({"threadId": thread_id, "attachments": attachments, "clientMessageId": client_message_id, "postback": postback, "session": session, "text": text})))

    async def thread_load_more(
        self,
        *,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Loads older messages of a thread and returns them.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            NoMoreMessagesError: 3103 noMoreMessages.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("thread.loadMore", _params({"threadId": thread_id, "session": session})))

    async def thread_rename(
        self,
        *,
        name: str,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Renames a thread (multi-thread channels).

        Args:
            name: The new name.
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
            UnsupportedInModeError: 3005 unsupportedInMode.
            BackendRejectedError: 2001 backendRejected.
        """
        return cast('dict[str, Any]', await self._call("thread.rename", _params({"name": name, "threadId": thread_id, "session": session})))

    async def thread_archive(self, *, thread_id: str, session: str | None = None) -> dict[str, Any]:
        """Archives a thread (multi-thread channels).

        The thread becomes `closed` and takes no more messages.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            UnsupportedInModeError: 3005 unsupportedInMode.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("thread.archive", _params({"threadId": thread_id, "session": session})))

    async def thread_mark_read(
        self,
        *,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Marks every message of a thread as seen by the customer.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
        """
        return cast('dict[str, Any]', await self._call("thread.markRead", _params({"threadId": thread_id, "session": session})))

    async def thread_typing(
        self,
        *,
        is_typing: bool,
        thread_id: str,
        preview: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Tells the agent whether the customer is typing.

        Send `isTyping: false` when the customer stops typing (e.g. 1.5 s after the last key).

        Args:
            is_typing: Whether the customer is typing now.
            thread_id: The thread.
            preview: What the customer has typed so far, shown to the agent as a preview of the
                message (the web SDK's typing preview: send it when the customer pauses, at most every
                second or so). Up to 10,000 characters.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
        """
        return cast('dict[str, Any]', await self._call("thread.typing", _params({"isTyping": is_typing, "threadId": thread_id, "preview": preview, "session": session})))

    async def thread_end_contact(
        self,
        *,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Ends the live-chat conversation of a thread.

        The back end confirms with a `contact.status` event (`closed`); the chat state becomes
        `closed`. Start a new conversation with `threads.create`.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            UnsupportedInModeError: 3005 unsupportedInMode.
            IllegalThreadStateError: 3102 illegalThreadState.
        """
        return cast('dict[str, Any]', await self._call("thread.endContact", _params({"threadId": thread_id, "session": session})))

    async def thread_send_transcript(
        self,
        *,
        email: str,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """E-mails the transcript of a thread's conversation.

        Args:
            email: Where to send it.
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            FeatureDisabledError: 3006 featureDisabled.
            IllegalThreadStateError: 3102 illegalThreadState.
            InvalidParameterError: 3008 invalidParameter.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', await self._call("thread.sendTranscript", _params({"email": email, "threadId": thread_id, "session": session})))

    async def thread_set_custom_fields(
        self,
        *,
        custom_fields: dict[str, Any],
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sets custom fields of a thread's contact (case).

        Values are merged into the contact's fields. For a `pending` thread they are sent with its
        first message.

        Args:
            custom_fields: The values to set, by ident.
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', await self._call("thread.setCustomFields", _params({"customFields": custom_fields, "threadId": thread_id, "session": session})))


class SyncMethods:
    """Every API method, blocking; Client provides _call."""

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    def rpc_discover(self) -> dict[str, Any]:
        """Returns the OpenRPC document describing every method, error and event of this API.

        The same document is committed as `protocol/openrpc.json`.
        """
        return cast('dict[str, Any]', self._call("rpc.discover", {}))

    def daemon_info(self) -> dict[str, Any]:
        """Returns the daemon's version, protocol version, capabilities and limits.

        Cheap and always available, even before the daemon is ready: use it to check that the socket
        works and which protocol version the daemon speaks.
        """
        return cast('dict[str, Any]', self._call("daemon.info", {}))

    def daemon_status(self) -> dict[str, Any]:
        """Returns the daemon's health: readiness, uptime, sessions with their chat and connection state, clients and queue depths.
        """
        return cast('dict[str, Any]', self._call("daemon.status", {}))

    def daemon_set_log_level(self, *, level: str, target: str | None = None) -> dict[str, Any]:
        """Changes the daemon's log level, for everything or for one module.

        The change lasts until the daemon restarts or its configuration is reloaded.

        Args:
            level: The new level.
            target: A module path (e.g. `cxone_chatd::gateway`) to change only its level.

        Raises:
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("daemon.setLogLevel", _params({"level": level, "target": target})))

    def events_subscribe(
        self,
        *,
        kinds: list[str] | None = None,
        session: str | None = None,
        since: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Starts pushing events to this connection, after replaying those newer than since.

        Events newer than `since` are replayed first (strictly greater: pass the last `seq` you
        handled), then live events follow as `events.event` notifications on this connection until
        `events.unsubscribe` or disconnect. Without `since`, only events after the call are sent.
        Daemon-wide kinds (`daemon.shutdown`, `events.*`) are sent whatever the filters.

        Args:
            kinds: Only these kinds; every kind when left out or empty.
            session: Only events of this session; events of every session when left out.
            since: Replay the buffered events after this position first.

        Raises:
            OverloadedError: -32003 overloaded.
        """
        return cast('dict[str, Any]', self._call("events.subscribe", _params({"kinds": kinds, "session": session, "since": since})))

    def events_unsubscribe(self, *, subscription: int) -> dict[str, Any]:
        """Stops a subscription of this connection.

        Args:
            subscription: The subscription to stop.
        """
        return cast('dict[str, Any]', self._call("events.unsubscribe", _params({"subscription": subscription})))

    def events_poll(
        self,
        *,
        kinds: list[str] | None = None,
        limit: int | None = None,
        session: str | None = None,
        since: dict[str, Any] | None = None,
        timeout_ms: int | None = None,
    ) -> dict[str, Any]:
        """Returns the events newer than since, waiting up to timeoutMs for the first one.

        For clients that cannot take notifications: returns at once when events newer than `since`
        exist, otherwise waits up to `timeoutMs` for one. Call again with `since = next`.

        Args:
            kinds: Only these kinds; every kind when left out or empty.
            limit: The most events to return; the daemon's own maximum when left out.
            session: Only events of this session; every session when left out.
            since: Return events after this position; only events after the call when left out.
            timeout_ms: How long to wait for an event when none is ready, in milliseconds; 0 (the
                default) returns at once. Capped at `daemon.info`'s `limits.maxPollTimeoutMs`.

        Raises:
            RequestCancelledError: -32004 requestCancelled.
        """
        return cast('dict[str, Any]', self._call("events.poll", _params({"kinds": kinds, "limit": limit, "session": session, "since": since, "timeoutMs": timeout_ms})))

    def session_prepare(
        self,
        *,
        brand_id: int,
        channel_id: str,
        customer: dict[str, Any] | None = None,
        environment: dict[str, Any] | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Prepares a session for a brand and channel: loads the channel configuration and registers the visitor.

        Creates the session if needed, loads the channel configuration and registers the visitor;
        the chat state goes `initial → preparing → prepared`. Calling it again for a prepared
        session with the same back end, brand and channel is harmless and returns its state.

        Args:
            brand_id: The CXone brand (tenant) id.
            channel_id: The channel id, e.g. `chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4`.
            customer: Who the customer is, as far as the host application knows.
            environment: The back end: a named environment (`"EU1"`) or custom URLs. Omitted, it is
                the daemon's embedded emulator when the daemon runs with `--sandbox` (and an error
                otherwise).
            session: The session to prepare (created when new); `"default"` when left out.

        Raises:
            SessionConflictError: 3004 sessionConflict.
            IllegalChatStateError: 3003 illegalChatState.
            ChannelUnavailableError: 2003 channelUnavailable.
            VersionNotSupportedError: 2004 versionNotSupported.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("session.prepare", _params({"brandId": brand_id, "channelId": channel_id, "customer": customer, "environment": environment, "session": session})))

    def session_connect(self, *, session: str | None = None) -> dict[str, Any]:
        """Connects the session to the back end and recovers its threads.

        Resolves once the chat is `ready` (threads recovered), or `offline` for a live chat with no
        agent available; `chat.stateChanged` events report the steps. Requires customer login first
        (`customer.authorize`) on channels that use it.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            AuthorizationRequiredError: 1000 authorizationRequired.
            AuthorizationFailedError: 1001 authorizationFailed.
            TokenExpiredError: 1002 tokenExpired.
            ChatOfflineError: 3007 chatOffline.
            BackendUnavailableError: 2000 backendUnavailable.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
            RequestCancelledError: -32004 requestCancelled.
        """
        return cast('dict[str, Any]', self._call("session.connect", _params({"session": session})))

    def session_disconnect(self, *, session: str | None = None) -> dict[str, Any]:
        """Closes the session's connection to the back end; the chat state returns to prepared.

        The session stays prepared and keeps its threads; nothing is lost.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', self._call("session.disconnect", _params({"session": session})))

    def session_state(self, *, session: str | None = None) -> dict[str, Any]:
        """Returns the session's chat state, mode, connection state and channel facts.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', self._call("session.state", _params({"session": session})))

    def session_close(
        self,
        *,
        forget: bool | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Disconnects the session and removes it from the daemon.

        With `forget`, the session's persisted state (visitor id, customer id, tokens) is deleted
        too, as a sign-out; otherwise the next `session.prepare` of this name resumes it.

        Args:
            forget: Also delete the session's persisted state (sign out).
            session: The session to close; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', self._call("session.close", _params({"forget": forget, "session": session})))

    def session_execute_trigger(
        self,
        *,
        trigger_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Runs a proactive-chat trigger by id.

        The result, if the trigger's conditions hold, arrives as a `proactive.action` event.

        Args:
            trigger_id: The trigger's id (a UUID), as configured in CXone.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("session.executeTrigger", _params({"triggerId": trigger_id, "session": session})))

    def session_availability(self, *, session: str | None = None) -> dict[str, Any]:
        """Says whether the channel has an agent available now, without connecting.

        Asks the back end whether an agent is available, without opening a connection (Android's and
        the web SDK's `getChannelAvailability`). The answer is reused for 60 s, as both SDKs do, and
        is the same one `session.connect` goes by on a live-chat channel. An extension beyond
        PRODUCT.md §3 (docs/parity.md).

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("session.availability", _params({"session": session})))

    def session_send_offline_message(
        self,
        *,
        email: str,
        message: str,
        name: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Leaves a message with the contact centre while no agent is available (the offline form).

        The offline form (web SDK `sendOfflineMessage`): a message the contact centre answers by
        e-mail, for when no agent is available. It needs no `session.connect`: a session that is not
        connected (a live chat `offline` opens no socket) opens one for this message only. An
        extension beyond PRODUCT.md §3 (docs/parity.md).

        Args:
            email: The e-mail address the answer goes to.
            message: The message.
            name: The customer's full name; the last word is sent as the last name, as the web SDK
                does.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            InvalidParameterError: 3008 invalidParameter.
            AuthorizationRequiredError: 1000 authorizationRequired.
            BackendUnavailableError: 2000 backendUnavailable.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("session.sendOfflineMessage", _params({"email": email, "message": message, "name": name, "session": session})))

    def app_foreground(self, *, session: str | None = None) -> dict[str, Any]:
        """Tells the daemon the host application became active.

        Prepares again if needed, starts or extends the analytics visit, reconnects if the session
        was connected before going to the background, re-authorizes the customer and recovers the
        threads. The session must have been prepared once (`session.prepare`).

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', self._call("app.foreground", _params({"session": session})))

    def app_background(
        self,
        *,
        disconnect: bool | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Tells the daemon the host application went to the background.

        Sends the time spent on the current page, stops page-view timing and, if configured (or
        asked with `disconnect`), drops the connection while keeping all state.

        Args:
            disconnect: Whether to drop the connection; the daemon's configuration decides when left
                out.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', self._call("app.background", _params({"disconnect": disconnect, "session": session})))

    def customer_get(self, *, session: str | None = None) -> dict[str, Any]:
        """Returns the session's customer: id, names, login state and custom fields.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
        """
        return cast('dict[str, Any]', self._call("customer.get", _params({"session": session})))

    def customer_set(
        self,
        *,
        first_name: str | None = None,
        id: str | None = None,
        last_name: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sets the customer's id or names.

        Names can change at any time and reach agents with the next message. The id can only be set
        before the session's first `session.prepare`; afterwards it is fixed (or given by the
        identity provider after login).

        Args:
            first_name: First name.
            id: The host's own customer id (only before the first prepare).
            last_name: Last name.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            IllegalChatStateError: 3003 illegalChatState.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("customer.set", _params({"firstName": first_name, "id": id, "lastName": last_name, "session": session})))

    def customer_set_device_token(
        self,
        *,
        device_token: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Registers the push-notification token of the device, so the contact centre can reach the customer while disconnected.

        Args:
            device_token: The push token (APNs as hex, or FCM).
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("customer.setDeviceToken", _params({"deviceToken": device_token, "session": session})))

    def customer_authorize(
        self,
        *,
        authorization_code: str,
        code_verifier: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Logs the customer in with an authorization code (and PKCE verifier) from the channel's identity provider.

        The code is single-use. When the session is not connected, it is kept for the next
        `session.connect`; when it is, the session connects again with it at once and answers once
        the chat is ready. When the login is another customer's, the last customer's threads are
        dropped (`threads.updated`).

        Args:
            authorization_code: The authorization code the identity provider issued.
            code_verifier: The PKCE code verifier that goes with it, when the login used PKCE.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            FeatureDisabledError: 3006 featureDisabled.
            AuthorizationFailedError: 1001 authorizationFailed.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("customer.authorize", _params({"authorizationCode": authorization_code, "codeVerifier": code_verifier, "session": session})))

    def customer_set_custom_fields(
        self,
        *,
        custom_fields: dict[str, Any],
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sets custom fields of the customer (shared by all threads).

        Values are merged into the existing fields; fields not named keep their value. They are sent
        to the back end at once when connected, otherwise with the next message.

        Args:
            custom_fields: The values to set, by ident.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("customer.setCustomFields", _params({"customFields": custom_fields, "session": session})))

    def analytics_page_view(
        self,
        *,
        title: str,
        url: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Reports that the customer opened a page (screen) of the host application.

        If another page was being viewed, its time on page is reported first.

        Args:
            title: The page's title, e.g. `Basket`.
            url: The page's identifier; any URL-like string, e.g. `app://basket`.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("analytics.pageView", _params({"title": title, "url": url, "session": session})))

    def analytics_page_view_ended(
        self,
        *,
        title: str,
        url: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Reports that the customer left the page, with the time spent on it.

        Ignored unless `title` and `url` match the page last reported by `analytics.pageView`.

        Args:
            title: The page's title, e.g. `Basket`.
            url: The page's identifier; any URL-like string, e.g. `app://basket`.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("analytics.pageViewEnded", _params({"title": title, "url": url, "session": session})))

    def analytics_chat_window_open(self, *, session: str | None = None) -> dict[str, Any]:
        """Reports that the customer opened the chat window.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("analytics.chatWindowOpen", _params({"session": session})))

    def analytics_conversion(
        self,
        *,
        conversion_type: str,
        conversion_value: float,
        session: str | None = None,
        time: str | None = None,
    ) -> dict[str, Any]:
        """Reports a conversion (e.g. a purchase) with its type and value.

        Args:
            conversion_type: What kind of conversion, e.g. `purchase`.
            conversion_value: Its value, e.g. the amount.
            session: The session; `"default"` when left out.
            time: When it happened; now when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("analytics.conversion", _params({"conversionType": conversion_type, "conversionValue": conversion_value, "session": session, "time": time})))

    def analytics_proactive_action(
        self,
        *,
        action_id: str,
        action_name: str,
        action_type: str,
        outcome: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Reports what happened to a proactive action: displayed, clicked, success or failed.

        Args:
            action_id: The action's id, from the `proactive.action` event.
            action_name: The action's name, from the event.
            action_type: The action's type, from the event.
            outcome: What happened.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
            BackendUnavailableError: 2000 backendUnavailable.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("analytics.proactiveAction", _params({"actionId": action_id, "actionName": action_name, "actionType": action_type, "outcome": outcome, "session": session})))

    def analytics_custom_visitor_event(
        self,
        *,
        data: Any,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sends a custom visitor event: any JSON value the contact centre has agreed with the host.

        Android's `customVisitor`: any JSON value, sent over the connection as a
        `StoreVisitorEvents` frame exactly as Android sends it (labelled `ProactiveActionDisplayed`,
        an SDK quirk the back end expects). Unlike the other analytics it needs a connection. An
        extension beyond PRODUCT.md §3 (docs/parity.md).

        Args:
            data: The event: any JSON value but `null`.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("analytics.customVisitorEvent", _params({"data": data, "session": session})))

    def threads_list(self, *, session: str | None = None) -> dict[str, Any]:
        """Returns the session's threads, without their messages.

        Without network traffic: the list is kept current by the daemon (`threads.updated`).

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
        """
        return cast('dict[str, Any]', self._call("threads.list", _params({"session": session})))

    def threads_create(
        self,
        *,
        custom_fields: dict[str, Any] | None = None,
        name: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Creates a new thread.

        The thread is `pending` (unknown to the back end) until its first message is sent; the
        welcome message, if any, is already in it. Single-thread and live-chat channels allow one
        open thread. Pre-chat survey answers go in `customFields`.

        Args:
            custom_fields: Contact custom fields, including the pre-chat survey answers, by ident.
            name: The thread's name (multi-thread channels).
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnsupportedInModeError: 3005 unsupportedInMode.
            PreChatSurveyIncompleteError: 3104 preChatSurveyIncomplete.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("threads.create", _params({"customFields": custom_fields, "name": name, "session": session})))

    def threads_load(
        self,
        *,
        session: str | None = None,
        thread_id: str | None = None,
    ) -> dict[str, Any] | None:
        """Loads a thread's history from the back end and returns it.

        Without `threadId`: the session's current thread in single-thread and live-chat channels, or
        `null` when the customer has none yet (which is normal; create one with `threads.create`).
        Loads the newest messages; `thread.loadMore` fetches older ones. A thread the back end does
        not know yet (created here, its first message still queued) comes back as the daemon holds
        it; one that neither knows is `null`.

        Args:
            session: The session; `"default"` when left out.
            thread_id: The thread; the current one (single-thread, live chat) when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any] | None', self._call("threads.load", _params({"session": session, "threadId": thread_id})))

    def threads_get(self, *, thread_id: str, session: str | None = None) -> dict[str, Any]:
        """Returns a thread with the messages the daemon holds for it.

        Returns the messages loaded so far without asking the back end.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            UnknownThreadError: 3100 unknownThread.
        """
        return cast('dict[str, Any]', self._call("threads.get", _params({"threadId": thread_id, "session": session})))

    def threads_pre_chat_survey(self, *, session: str | None = None) -> dict[str, Any] | None:
        """Returns the channel's pre-chat survey, or null when it has none.

        Args:
            session: The session to act on; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotPreparedError: 3001 notPrepared.
        """
        return cast('dict[str, Any] | None', self._call("threads.preChatSurvey", _params({"session": session})))

    def thread_send(
        self,
        *,
        thread_id: str,
        attachments: list[dict[str, Any]] | None = None,
        client_message_id: str | None = None,
        postback: str | None = None,
        session: str | None = None,
        text: str | None = None,
    ) -> dict[str, Any]:
        """Sends a message (text, postback, attachments) in a thread.

        Needs `text`, `postback` or at least one attachment. Returns at once with the message in
        status `queued` (waiting for the connection) or `sent`; `message.updated` events follow
        (`delivered`, `seen`, `read`, or `failed` with the error). To answer a button, send its text
        and postback. Sending to a `pending` thread creates it on the back end.

        Args:
            thread_id: The thread.
            attachments: Files to attach.
            client_message_id: A UUID of your choosing that becomes the message id; sending again
                with the same id does not send the message twice. The daemon mints one when left out.
            postback: The postback of the button being answered.
            session: The session; `"default"` when left out.
            text: The text.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
            AttachmentRejectedError: 3105 attachmentRejected.
            InvalidParameterError: 3008 invalidParameter.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("thread.send", _params({"threadId": thread_id, "attachments": attachments, "clientMessageId": client_message_id, "postback": postback, "session": session, "text": text})))

    def thread_load_more(
        self,
        *,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Loads older messages of a thread and returns them.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            NoMoreMessagesError: 3103 noMoreMessages.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("thread.loadMore", _params({"threadId": thread_id, "session": session})))

    def thread_rename(
        self,
        *,
        name: str,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Renames a thread (multi-thread channels).

        Args:
            name: The new name.
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
            UnsupportedInModeError: 3005 unsupportedInMode.
            BackendRejectedError: 2001 backendRejected.
        """
        return cast('dict[str, Any]', self._call("thread.rename", _params({"name": name, "threadId": thread_id, "session": session})))

    def thread_archive(self, *, thread_id: str, session: str | None = None) -> dict[str, Any]:
        """Archives a thread (multi-thread channels).

        The thread becomes `closed` and takes no more messages.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            UnsupportedInModeError: 3005 unsupportedInMode.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("thread.archive", _params({"threadId": thread_id, "session": session})))

    def thread_mark_read(
        self,
        *,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Marks every message of a thread as seen by the customer.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
        """
        return cast('dict[str, Any]', self._call("thread.markRead", _params({"threadId": thread_id, "session": session})))

    def thread_typing(
        self,
        *,
        is_typing: bool,
        thread_id: str,
        preview: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Tells the agent whether the customer is typing.

        Send `isTyping: false` when the customer stops typing (e.g. 1.5 s after the last key).

        Args:
            is_typing: Whether the customer is typing now.
            thread_id: The thread.
            preview: What the customer has typed so far, shown to the agent as a preview of the
                message (the web SDK's typing preview: send it when the customer pauses, at most every
                second or so). Up to 10,000 characters.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
        """
        return cast('dict[str, Any]', self._call("thread.typing", _params({"isTyping": is_typing, "threadId": thread_id, "preview": preview, "session": session})))

    def thread_end_contact(
        self,
        *,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Ends the live-chat conversation of a thread.

        The back end confirms with a `contact.status` event (`closed`); the chat state becomes
        `closed`. Start a new conversation with `threads.create`.

        Args:
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            UnsupportedInModeError: 3005 unsupportedInMode.
            IllegalThreadStateError: 3102 illegalThreadState.
        """
        return cast('dict[str, Any]', self._call("thread.endContact", _params({"threadId": thread_id, "session": session})))

    def thread_send_transcript(
        self,
        *,
        email: str,
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """E-mails the transcript of a thread's conversation.

        Args:
            email: Where to send it.
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            FeatureDisabledError: 3006 featureDisabled.
            IllegalThreadStateError: 3102 illegalThreadState.
            InvalidParameterError: 3008 invalidParameter.
            BackendRejectedError: 2001 backendRejected.
            OperationTimeoutError: 2002 timeout.
        """
        return cast('dict[str, Any]', self._call("thread.sendTranscript", _params({"email": email, "threadId": thread_id, "session": session})))

    def thread_set_custom_fields(
        self,
        *,
        custom_fields: dict[str, Any],
        thread_id: str,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Sets custom fields of a thread's contact (case).

        Values are merged into the contact's fields. For a `pending` thread they are sent with its
        first message.

        Args:
            custom_fields: The values to set, by ident.
            thread_id: The thread.
            session: The session; `"default"` when left out.

        Raises:
            UnknownSessionError: 3000 unknownSession.
            NotConnectedError: 3002 notConnected.
            UnknownThreadError: 3100 unknownThread.
            ThreadClosedError: 3101 threadClosed.
            InvalidParameterError: 3008 invalidParameter.
        """
        return cast('dict[str, Any]', self._call("thread.setCustomFields", _params({"customFields": custom_fields, "threadId": thread_id, "session": session})))
