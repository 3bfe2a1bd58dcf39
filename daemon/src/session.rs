//! A chat session's plain logic, without actors: the thread registry today; the chat state
//! machine and the outbox follow with the session actor (issue #4).

pub mod threads;
