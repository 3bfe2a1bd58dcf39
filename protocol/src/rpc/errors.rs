//! The error model of the local API: one [`ErrorCode`] table and the JSON-RPC [`ErrorObject`].
//!
//! Every error the daemon sends is an [`ErrorObject`] whose `code` comes from [`ErrorCode`], whose
//! `message` tells a person what to do, and whose `data` is always an [`ErrorData`] object, so a
//! client can branch on `data.kind` (a stable name) and `data.retryable` without a table of numbers.
//!
//! Code ranges:
//!
//! | range | what |
//! |---|---|
//! | −32700, −32600 … −32603 | JSON-RPC protocol faults, used for nothing else |
//! | −32001 … −32004 | implementation-defined server conditions (not ready, not authorized, overloaded, cancelled) |
//! | 1000 … 1999 | customer authorization and OAuth |
//! | 2000 … 2999 | the CXone back end and its REST endpoints |
//! | 3000 … 3999 | sessions, chats, threads and messages |
//!
//! Codes are never renumbered or reused; new ones are appended inside their range.

mod data;

pub use data::{ErrorData, ErrorKind, ErrorReason};

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Defines [`ErrorCode`] and its accessors from one table, so a code's number, name, message and
/// retry hint cannot drift apart.
macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $code:literal, $name:literal, retryable: $retryable:literal,
            $message:literal;
    )+) => {
        /// Every error code the daemon can answer with: −32700 … −32603 protocol, −32001 … −32004
        /// server, 1000 … 1999 authorization, 2000 … 2999 back end, 3000 … 3999 chat.
        ///
        /// Serialized as its stable camelCase name, which is also `error.data.kind`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every code, in table order (by range, then by number).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The numeric JSON-RPC `error.code`.
            pub const fn code(self) -> i64 {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The stable camelCase name, sent as `error.data.kind`.
            pub const fn name(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name,)+ }
            }

            /// The default human-readable `error.message`: what went wrong and what to do.
            pub const fn message(self) -> &'static str {
                match self { $(ErrorCode::$variant => $message,)+ }
            }

            /// Whether repeating the same call later, unchanged, may succeed.
            pub const fn retryable(self) -> bool {
                match self { $(ErrorCode::$variant => $retryable,)+ }
            }
        }
    };
}

error_codes! {
    /// The line is not valid JSON (or not UTF-8). Always answered with `id: null`.
    ParseError = -32700, "parseError", retryable: false,
        "Parse error: the line is not valid UTF-8 JSON. Send exactly one JSON-RPC message (or batch array) per line.";
    /// The JSON is not a valid JSON-RPC 2.0 request object (or batch, or the line is too long).
    InvalidRequest = -32600, "invalidRequest", retryable: false,
        "Invalid request: this is not a JSON-RPC 2.0 request object. It needs \"jsonrpc\": \"2.0\", a string \"method\" and, for a call, an \"id\"; see error.data.detail.";
    /// No method of that name exists.
    MethodNotFound = -32601, "methodNotFound", retryable: false,
        "Method not found: check the method name against rpc.discover.";
    /// The parameters do not match the method's schema: wrong type, missing, or unknown field.
    InvalidParams = -32602, "invalidParams", retryable: false,
        "Invalid params: pass parameters by name as a JSON object matching the method's schema; error.data.field names the offending parameter.";
    /// A bug in the daemon. The daemon keeps running.
    InternalError = -32603, "internalError", retryable: false,
        "Internal error in the daemon. Please report it with error.data.correlationId; the daemon keeps running.";

    /// The daemon is still starting (loading state, binding, first configuration).
    DaemonNotReady = -32001, "daemonNotReady", retryable: true,
        "The daemon is starting and not ready yet. Retry in a moment; daemon.status reports when it is ready.";
    /// The connecting peer's user or group is not allowed to use the daemon.
    PeerNotAuthorized = -32002, "peerNotAuthorized", retryable: false,
        "This client's user is not allowed to use the daemon. Run it as an allowed user or group (see the daemon's configuration).";
    /// Too many requests in flight, or this client fell behind its event queue.
    Overloaded = -32003, "overloaded", retryable: true,
        "The daemon is overloaded or this client fell behind. Slow down and retry; re-subscribe to events with since to catch up.";
    /// The request was abandoned: its session closed, the client went away, or the daemon is stopping.
    RequestCancelled = -32004, "requestCancelled", retryable: true,
        "The request was cancelled before it completed (session closed or daemon stopping). Retry it if it is still needed.";
    /// The daemon's state directory is full: nothing more can be queued or saved.
    StorageFull = -32010, "storageFull", retryable: true,
        "The daemon's state directory is full, so the message could not be kept safe. Free space on the file system of the state directory (daemon.status shows it) and retry.";
    /// The daemon's state directory cannot be written (read-only, permissions, failing disk).
    StorageUnavailable = -32011, "storageUnavailable", retryable: true,
        "The daemon's state directory cannot be written (read-only, wrong permissions or a failing disk). Make it writable for the daemon's user and retry.";
    /// A state file was damaged; what could be read was kept and the file moved aside.
    StorageDamaged = -32012, "storageDamaged", retryable: false,
        "A state file of the daemon was damaged. What could be read was kept; error.data.detail says what was lost and where the damaged file was moved for inspection.";

    /// The channel needs the customer to log in (OAuth) before the chat can connect.
    AuthorizationRequired = 1000, "authorizationRequired", retryable: false,
        "This channel requires customer login. Call customer.authorize with an authorization code (and PKCE verifier) from your identity provider, then connect again.";
    /// The back end refused the customer's authorization (bad or used authorization code).
    AuthorizationFailed = 1001, "authorizationFailed", retryable: false,
        "The back end rejected the customer's authorization. Get a new authorization code from your identity provider and call customer.authorize again.";
    /// The customer's token expired and cannot be renewed without a new login.
    TokenExpired = 1002, "tokenExpired", retryable: false,
        "The customer's access token expired and cannot be renewed silently. Get a new authorization code and call customer.authorize.";
    /// Renewing the customer's token failed.
    TokenRefreshFailed = 1003, "tokenRefreshFailed", retryable: false,
        "Refreshing the customer's access token failed. Get a new authorization code from your identity provider and call customer.authorize.";

    /// The CXone back end could not be reached (network, DNS, TLS, 5xx).
    BackendUnavailable = 2000, "backendUnavailable", retryable: true,
        "The CXone back end cannot be reached. Check the network; retry later (the daemon also reconnects by itself).";
    /// The back end answered with an error; `data.backendCode`/`data.backendStatus` say which.
    BackendRejected = 2001, "backendRejected", retryable: false,
        "The CXone back end rejected the request; error.data.backendCode and error.data.backendStatus carry its answer.";
    /// The back end did not answer in time.
    Timeout = 2002, "timeout", retryable: true,
        "The CXone back end did not answer in time. Retry the call.";
    /// The channel's configuration could not be loaded (unknown brand or channel, wrong environment).
    ChannelUnavailable = 2003, "channelUnavailable", retryable: false,
        "The channel's configuration could not be loaded. Check environment, brandId and channelId in session.prepare.";
    /// The back end no longer accepts this client version.
    VersionNotSupported = 2004, "versionNotSupported", retryable: false,
        "The CXone back end no longer supports this version of cxone-chatd. Upgrade the daemon.";

    /// No session of that name exists in the daemon.
    UnknownSession = 3000, "unknownSession", retryable: false,
        "No session with this name. Call session.prepare for it first (omit \"session\" to use \"default\").";
    /// The session exists but is not prepared yet.
    NotPrepared = 3001, "notPrepared", retryable: false,
        "The session is not prepared. Call session.prepare (or app.foreground) first.";
    /// The session is not connected to the back end (or is reconnecting).
    NotConnected = 3002, "notConnected", retryable: true,
        "The session is not connected. Call session.connect, or wait for connection.restored if the daemon is reconnecting, then retry.";
    /// The call is not allowed in the session's current chat state.
    IllegalChatState = 3003, "illegalChatState", retryable: false,
        "This call is not allowed in the session's current chat state (see session.state); error.data.detail says which states allow it.";
    /// `session.prepare` named an existing session with a different brand, channel or environment.
    SessionConflict = 3004, "sessionConflict", retryable: false,
        "A session with this name already exists for another brand, channel or environment. Close it with session.close or use another session name.";
    /// The call does not exist in the channel's chat mode (e.g. a second thread in single-thread mode).
    UnsupportedInMode = 3005, "unsupportedInMode", retryable: false,
        "This call is not available in the channel's chat mode (see session.state mode), for example a second thread in single-thread mode.";
    /// The channel's configuration disables this feature (e.g. transcripts).
    FeatureDisabled = 3006, "featureDisabled", retryable: false,
        "The channel's configuration disables this feature. Ask the CXone administrator to enable it for the channel.";
    /// Live chat is offline: no agent is available.
    ChatOffline = 3007, "chatOffline", retryable: true,
        "Live chat is offline (no agents available). Try again later; the chat state stays offline until then.";
    /// A parameter is well-formed but its value is unacceptable; `data.field` names it.
    InvalidParameter = 3008, "invalidParameter", retryable: false,
        "A parameter has an unacceptable value; error.data.field names it and error.data.detail says why. Fix the value and call again.";
    /// No thread with that id is known in the session.
    UnknownThread = 3100, "unknownThread", retryable: false,
        "No thread with this id in the session. Call threads.list (or threads.load) to get the current thread ids.";
    /// The thread is closed or archived and takes no more messages.
    ThreadClosed = 3101, "threadClosed", retryable: false,
        "The thread is closed or archived and takes no more messages. Create a new one with threads.create.";
    /// The call is not allowed in the thread's current state (e.g. ending a contact that never started).
    IllegalThreadState = 3102, "illegalThreadState", retryable: false,
        "This call is not allowed in the thread's current state (see the thread's state); error.data.detail says why.";
    /// `thread.loadMore` reached the beginning of the thread's history.
    NoMoreMessages = 3103, "noMoreMessages", retryable: false,
        "There are no older messages in this thread. Stop calling thread.loadMore for it.";
    /// A required pre-chat survey field has no value; `data.field` names the field's ident.
    PreChatSurveyIncomplete = 3104, "preChatSurveyIncomplete", retryable: false,
        "The pre-chat survey is incomplete. Read it with threads.preChatSurvey and pass every required field in customFields of threads.create.";
    /// An attachment was refused (type, size, unreadable file, or attachments disabled).
    AttachmentRejected = 3105, "attachmentRejected", retryable: false,
        "The attachment was rejected; error.data.detail says why (file type, size, unreadable path, or attachments disabled). Send a supported file.";
}

/// The broad family of an [`ErrorCode`], from its numeric range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCategory {
    /// −32700 and −32600 … −32603: the message itself was wrong.
    Protocol,
    /// −32000 … −32099: a condition of the daemon, not of the call.
    Server,
    /// 1000 … 1999: customer authorization and OAuth.
    Auth,
    /// 2000 … 2999: the CXone back end.
    Backend,
    /// 3000 … 3999: sessions, chats, threads and messages.
    Chat,
}

impl ErrorCode {
    /// The code with this number, if the table has one.
    pub fn from_code(code: i64) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.code() == code)
    }

    /// The family this code belongs to.
    pub const fn category(self) -> ErrorCategory {
        match self.code() {
            -32099..=-32000 => ErrorCategory::Server,
            1000..=1999 => ErrorCategory::Auth,
            2000..=2999 => ErrorCategory::Backend,
            3000..=3999 => ErrorCategory::Chat,
            _ => ErrorCategory::Protocol,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// The JSON-RPC `error` member of a response; `data` is always present.
//
// Build one with `ErrorObject::new` and the `with_*` methods; the message defaults to the code's
// table message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct ErrorObject {
    /// The numeric code (see the error table).
    pub code: i64,
    /// A sentence saying what went wrong and what to do about it.
    pub message: String,
    /// Machine-readable details; always an object.
    // Boxed to keep `Result<_, ErrorObject>` small.
    pub data: Box<ErrorData>,
}

impl ErrorObject {
    /// An error with the code's default message and `data` holding its kind and retry hint.
    pub fn new(code: ErrorCode) -> Self {
        ErrorObject {
            code: code.code(),
            message: code.message().to_owned(),
            data: Box::new(ErrorData::new(code)),
        }
    }

    /// An error for a framing or batch problem: the reason's code and message, and
    /// `data.reason` set.
    pub fn for_reason(reason: ErrorReason) -> Self {
        ErrorObject::new(reason.code())
            .with_message(reason.message())
            .with_reason(reason)
    }

    /// The table entry for [`ErrorObject::code`], if it has one.
    pub fn error_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(self.code)
    }

    /// Replaces the default message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Sets `data.detail`: the specifics of this occurrence.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.data.detail = Some(detail.into());
        self
    }

    /// Sets `data.field`: the parameter at fault, as a path such as `attachments[0].path`.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.data.field = Some(field.into());
        self
    }

    /// Sets `data.correlationId`, the id the daemon also logs with this error.
    #[must_use]
    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.data.correlation_id = Some(id.into());
        self
    }

    /// Sets `data.backendCode`, the error code the CXone back end answered with.
    #[must_use]
    pub fn with_backend_code(mut self, code: impl Into<String>) -> Self {
        self.data.backend_code = Some(code.into());
        self
    }

    /// Sets `data.backendStatus`, the HTTP status the CXone back end answered with.
    #[must_use]
    pub fn with_backend_status(mut self, status: u16) -> Self {
        self.data.backend_status = Some(status);
        self
    }

    /// Sets `data.reason`, the machine-readable cause of a framing or batch error.
    #[must_use]
    pub fn with_reason(mut self, reason: ErrorReason) -> Self {
        self.data.reason = Some(reason);
        self
    }

    /// Sets `data.limit`, the limit that was exceeded.
    #[must_use]
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.data.limit = Some(limit);
        self
    }
}

impl From<ErrorCode> for ErrorObject {
    fn from(code: ErrorCode) -> Self {
        ErrorObject::new(code)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
        let names: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn name_is_the_serde_name() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.name());
            assert_eq!(ErrorCode::from_code(code.code()), Some(*code));
        }
    }

    #[test]
    fn codes_stay_in_their_documented_ranges() {
        for code in ErrorCode::ALL {
            let n = code.code();
            let ok = match code.category() {
                ErrorCategory::Protocol => n == -32700 || (-32603..=-32600).contains(&n),
                ErrorCategory::Server => (-32099..=-32000).contains(&n),
                ErrorCategory::Auth => (1000..=1999).contains(&n),
                ErrorCategory::Backend => (2000..=2999).contains(&n),
                ErrorCategory::Chat => (3000..=3999).contains(&n),
            };
            assert!(ok, "{code} is outside its range");
        }
    }

    #[test]
    fn new_error_carries_kind_and_retry_hint() {
        let e = ErrorObject::new(ErrorCode::Timeout).with_correlation_id("c-1");
        assert_eq!(e.code, 2002);
        assert_eq!(e.data.kind, ErrorCode::Timeout);
        assert!(e.data.retryable);
        assert_eq!(e.error_code(), Some(ErrorCode::Timeout));
        assert_eq!(
            e.to_string(),
            format!("{} (code 2002)", ErrorCode::Timeout.message())
        );
    }
}
