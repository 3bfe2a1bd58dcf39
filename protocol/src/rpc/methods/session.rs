//! Session methods: prepare, connect, disconnect, state, close, triggers (`session.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Empty, SessionParams, define_methods};
use crate::rpc::types::{Availability, CustomerIdentity, Environment, SessionName, SessionState};

define_methods! {
    group = "session";

    /// Creates the session if needed, loads the channel configuration and registers the visitor;
    /// the chat state goes `initial → preparing → prepared`. Calling it again for a prepared
    /// session with the same back end, brand and channel is harmless and returns its state.
    SessionPrepare = "session.prepare" {
        summary: "Prepares a session for a brand and channel: loads the channel configuration and registers the visitor.",
        params: SessionPrepareParams,
        result: SessionState,
        errors: [SessionConflict, IllegalChatState, ChannelUnavailable, VersionNotSupported, BackendUnavailable, Timeout, InvalidParameter],
    }

    /// Resolves once the chat is `ready` (threads recovered), or `offline` for a live chat with no
    /// agent available; `chat.stateChanged` events report the steps. Requires customer login
    /// first (`customer.authorize`) on channels that use it.
    SessionConnect = "session.connect" {
        summary: "Connects the session to the back end and recovers its threads.",
        params: SessionParams,
        result: SessionState,
        errors: [UnknownSession, NotPrepared, AuthorizationRequired, AuthorizationFailed, TokenExpired, ChatOffline, BackendUnavailable, BackendRejected, Timeout, RequestCancelled],
    }

    /// The session stays prepared and keeps its threads; nothing is lost.
    SessionDisconnect = "session.disconnect" {
        summary: "Closes the session's connection to the back end; the chat state returns to prepared.",
        params: SessionParams,
        result: SessionState,
        errors: [UnknownSession],
    }

    SessionGetState = "session.state" {
        summary: "Returns the session's chat state, mode, connection state and channel facts.",
        params: SessionParams,
        result: SessionState,
        errors: [UnknownSession],
    }

    /// With `forget`, the session's persisted state (visitor id, customer id, tokens) is deleted
    /// too, as a sign-out; otherwise the next `session.prepare` of this name resumes it.
    SessionClose = "session.close" {
        summary: "Disconnects the session and removes it from the daemon.",
        params: SessionCloseParams,
        result: Empty,
        errors: [UnknownSession],
    }

    /// Asks the back end whether an agent is available, without opening a connection (Android's
    /// and the web SDK's `getChannelAvailability`). The answer is reused for 60 s, as both SDKs
    /// do, and is the same one `session.connect` goes by on a live-chat channel. An extension
    /// beyond PRODUCT.md §3 (docs/parity.md).
    SessionAvailability = "session.availability" {
        summary: "Says whether the channel has an agent available now, without connecting.",
        params: SessionParams,
        result: Availability,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, BackendRejected, Timeout],
    }

    /// The offline form (web SDK `sendOfflineMessage`): a message the contact centre answers by
    /// e-mail, for when no agent is available. It needs no `session.connect`: a session that is
    /// not connected (a live chat `offline` opens no socket) opens one for this message only.
    /// An extension beyond PRODUCT.md §3 (docs/parity.md).
    SessionSendOfflineMessage = "session.sendOfflineMessage" {
        summary: "Leaves a message with the contact centre while no agent is available (the offline form).",
        params: SessionSendOfflineMessageParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, InvalidParameter, AuthorizationRequired, BackendUnavailable, BackendRejected, Timeout],
    }

    /// The result, if the trigger's conditions hold, arrives as a `proactive.action` event.
    SessionExecuteTrigger = "session.executeTrigger" {
        summary: "Runs a proactive-chat trigger by id.",
        params: SessionExecuteTriggerParams,
        result: Empty,
        errors: [UnknownSession, NotConnected, InvalidParameter],
    }
}

/// The params of `session.prepare`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionPrepareParams {
    /// The session to prepare (created when new); `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The back end: a named environment (`"EU1"`) or custom URLs. Omitted, it is the daemon's
    /// embedded emulator when the daemon runs with `--sandbox` (and an error otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// The CXone brand (tenant) id.
    pub brand_id: u64,
    /// The channel id, e.g. `chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4`.
    pub channel_id: String,
    /// Who the customer is, as far as the host application knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerIdentity>,
}

/// The params of `session.close`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionCloseParams {
    /// The session to close; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// Also delete the session's persisted state (sign out).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forget: bool,
}

/// The params of `session.executeTrigger`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionExecuteTriggerParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The trigger's id (a UUID), as configured in CXone.
    pub trigger_id: String,
}

/// The params of `session.sendOfflineMessage`: the web SDK's offline form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionSendOfflineMessageParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The customer's full name; the last word is sent as the last name, as the web SDK does.
    pub name: String,
    /// The e-mail address the answer goes to.
    pub email: String,
    /// The message.
    pub message: String,
}
