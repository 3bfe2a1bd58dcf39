//! A chat session's plain logic, without actors: the chat state machine and the thread
//! registry. The outbox and the session actor follow (issue #4).

pub mod state;
pub mod threads;
