//! What can go wrong in a session, named after the step that failed. The one mapping to
//! JSON-RPC codes is in `rpc::errors`.

use crate::session::state::Illegal;
use crate::upstream::{ConnectError, EndpointError, RequestError, RestError};

/// A session operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SessionError {
    /// No session has this name.
    #[error("there is no session {0:?}; call session.prepare first")]
    UnknownSession(String),
    /// The session exists for another brand or channel.
    #[error(
        "session {0:?} is prepared for another brand or channel; close it first or use another session name"
    )]
    Conflict(String),
    /// The chat state does not allow the operation.
    #[error(transparent)]
    Illegal(#[from] Illegal),
    /// The operation needs a prepared session.
    #[error("the session is not prepared; call session.prepare first")]
    NotPrepared,
    /// The operation needs a connection to the back end.
    #[error("the session is not connected; call session.connect (or wait for the reconnect)")]
    NotConnected,
    /// The environment's URLs are unusable.
    #[error("invalid environment: {0}")]
    Endpoints(#[from] EndpointError),
    /// Loading the channel configuration failed.
    #[error("loading the channel configuration failed: {0}")]
    FetchChannelConfig(#[source] RestError),
    /// Registering the visitor failed.
    #[error("registering the visitor failed: {0}")]
    RegisterVisitor(#[source] RestError),
    /// Asking whether an agent is available failed.
    #[error("checking whether an agent is available failed: {0}")]
    CheckAvailability(#[source] RestError),
    /// Posting an analytics event failed.
    #[error("sending the analytics event failed: {0}")]
    SendAnalytics(#[source] RestError),
    /// A transaction token could not be obtained.
    #[error("obtaining a transaction token failed: {0}")]
    RequestToken(#[source] RestError),
    /// The channel needs an OAuth login the host has not provided.
    #[error(
        "this channel requires a login: call customer.authorize with an authorization code first"
    )]
    AuthorizationRequired,
    /// The customer's token expired and nothing can renew it (no refresh possible, no login).
    #[error(
        "the customer's access token expired and cannot be renewed: call customer.authorize with a new authorization code, then session.connect"
    )]
    TokenExpired,
    /// The back end refused to renew the customer's token.
    #[error(
        "renewing the customer's access token was refused ({0}); call customer.authorize with a new authorization code"
    )]
    RefreshToken(String),
    /// Renewing the customer's token did not get through (network, timeout).
    #[error(
        "renewing the customer's access token did not get through ({0}); retry when the connection is back"
    )]
    RefreshUnreachable(String),
    /// An attachment cannot be sent; `index` is its position in `attachments`.
    #[error("attachment {index} cannot be sent: {error}")]
    Attachment {
        /// Its position.
        index: usize,
        /// Why.
        #[source]
        error: crate::session::attachments::AttachmentError,
    },
    /// A step that should not be reachable was reached.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// Opening the WebSocket failed.
    #[error("connecting to the chat gateway failed: {0}")]
    OpenSocket(#[source] ConnectError),
    /// A request to the back end failed; `step` names it (`AuthorizeCustomer`, `RecoverThread`, …).
    #[error("{step} failed: {error}")]
    Request {
        /// The request.
        step: &'static str,
        /// Why.
        #[source]
        error: RequestError,
    },
    /// No such thread in the session.
    #[error("there is no thread {0:?} in this session; threads.list shows them")]
    UnknownThread(String),
    /// The thread takes no more messages.
    #[error("thread {0:?} is closed (archived, or its contact ended); create a new thread")]
    ThreadClosed(String),
    /// The operation needs something the thread does not have yet (a contact, a server copy).
    #[error("{0}")]
    IllegalThreadState(String),
    /// There is no older history.
    #[error("thread {0:?} has no older messages")]
    NoMoreMessages(String),
    /// The channel has the feature switched off.
    #[error("{0}")]
    FeatureDisabled(&'static str),
    /// The operation is not available in this chat mode.
    #[error("{0}")]
    UnsupportedInMode(&'static str),
    /// A parameter's value is unacceptable.
    #[error("invalid {field}: {detail}")]
    InvalidParameter {
        /// The parameter.
        field: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A required pre-chat survey field is missing.
    #[error("the pre-chat survey field {0:?} is required; pass it in customFields")]
    PreChatSurveyIncomplete(String),
    /// The state directory failed.
    #[error("the daemon's state could not be saved: {0}")]
    Store(#[source] crate::store::StoreError),
    /// The session's actor is gone (the daemon is stopping).
    #[error("the session is shutting down")]
    Stopped,
    /// The state (the database, or an imported old outbox file) was damaged: moved aside,
    /// what could be read queued again.
    #[error(
        "the stored state was damaged ({reason}): {kept} queued message(s) of this session were read back and will be sent, {unreadable} could not be read and are lost{}; the damaged file is kept at {} for inspection",
        if *complete { "" } else { ", and the damage hid part of the outbox, so more may have been lost than counted: ask the customer whether their last messages arrived" },
        damaged.display()
    )]
    OutboxDamaged {
        /// Where the damaged file is now.
        damaged: std::path::PathBuf,
        /// What was wrong with it.
        reason: String,
        /// Messages queued again.
        kept: usize,
        /// Messages that could not be read.
        unreadable: usize,
        /// Whether every queued message was counted.
        complete: bool,
    },
    /// The back end refused a request no call waits for: a late reply to one that timed out,
    /// or a fire-and-forget event (`SendOutbound`, `SetContactCustomFields`, `EndContact`, …).
    #[error(
        "the back end refused an earlier request: {code}: {message} (CXone transaction {transaction_id}); nothing is retried: check the thread (threads.get) and repeat what is missing"
    )]
    BackendReported {
        /// `errorCode`.
        code: String,
        /// `errorMessage`.
        message: String,
        /// `transactionId`, for CXone support.
        transaction_id: String,
    },
    /// The chat gateway sent an error frame, which names no request.
    #[error(
        "the chat gateway reported an error ({0}); the connection carries on and nothing is retried: repeat a call that timed out"
    )]
    GatewayReported(String),
    /// A frame from the back end does not decode; it was skipped.
    #[error(
        "a frame from the back end could not be read and was skipped ({text_len} bytes; {error}); if a thread looks incomplete, threads.load brings it back"
    )]
    UndecodableFrame {
        /// Which field was wrong, and how.
        error: cxone_chat_protocol::cxone::DecodeError,
        /// The frame's length (its content is withheld: it may hold message text).
        text_len: usize,
    },
    /// A large event (`EventInS3`) could not be fetched or decoded; it is lost.
    #[error(
        "an event the back end sent through its bucket ({url}) is lost: {error}; threads.load brings a thread's messages back"
    )]
    LargeEventLost {
        /// The download URL without its query.
        url: String,
        /// What went wrong.
        error: crate::upstream::socket::LargeEventError,
    },
}
