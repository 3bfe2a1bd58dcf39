//! A chat session's plain logic, without actors: the chat state machine, the connect
//! sequence, credentials, attachments, the thread registry and the session's errors. The
//! session's actors wrap them.

pub(crate) mod analytics;
pub(crate) mod attachments;
pub(crate) mod credentials;
pub(crate) mod envelope;
pub(crate) mod error;
pub(crate) mod kept;
pub(crate) mod messages;
pub(crate) mod model;
pub(crate) mod persist;
pub(crate) mod send;
pub(crate) mod state;
pub(crate) mod threads;
pub(crate) mod welcome;
