//! The local API's server side, all of it: the acceptor actor (`server.rs`) and its admission
//! checks (`admission.rs`), one actor per client connection (`connection.rs`), the typed
//! dispatcher (`dispatcher.rs`) and the handlers it routes to (`handlers.rs`, one file per
//! method group), the session table (`sessions.rs`), the state every call can reach
//! (`state.rs`) and the one mapping from the daemon's errors to the API's codes (`errors.rs`).
//! Wire types come from `cxone_chat_protocol::rpc`.

mod admission;
mod connection;
mod dispatcher;
pub(crate) mod errors;
mod handlers;
pub(crate) mod server;
pub(crate) mod sessions;
pub(crate) mod state;
