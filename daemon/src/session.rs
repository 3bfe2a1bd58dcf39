//! A chat session's plain logic, without actors: the chat state machine, the connect
//! sequence, credentials, attachments, the thread registry and the session's errors. The
//! session's actors wrap them.

pub mod analytics;
pub mod attachments;
pub mod credentials;
pub mod envelope;
pub mod error;
pub mod persist;
pub mod state;
pub mod threads;
pub mod welcome;
