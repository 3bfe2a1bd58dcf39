//! The daemon's actors, one per file with the messages each one handles beside it. Each is a
//! thin shell over plain logic kept outside this module.
//!
//! * [`event_hub`] — numbers events, keeps the replay buffer, feeds subscribers and pollers.
//! * [`rpc_client`] — one per client connection: reads calls, writes answers and events.
//! * [`session`] — one per chat session: state, connection, threads.
//! * [`rpc_server`] — accepts connections on the listening socket.
//! * [`health`] — the critical actors' registry and the watchdog's health monitor.

pub mod event_hub;
pub mod health;
pub mod rpc_client;
pub mod rpc_server;
pub mod session;
