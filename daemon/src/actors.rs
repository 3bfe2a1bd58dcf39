//! The daemon's actors, one per file with the messages each one handles beside it. Each is a
//! thin shell over plain logic kept outside this module.
//!
//! * [`event_hub`] — numbers events, keeps the replay buffer, feeds subscribers and pollers.
//! * [`rpc_client`] — one per client connection: reads calls, writes answers and events.
//! * [`session`] — one per chat session: state, connection, customer, lifecycle.
//! * [`threads`] — one per session: the thread registry, its messages, sending and the outbox.
//! * [`oauth`] — one per session: logins, tokens and their renewal.
//! * [`live_chat`] — one per session: live-chat availability, cached for 60 s.
//! * [`large_events`] — one per daemon: downloads the events behind `EventInS3` frames.
//! * [`rpc_server`] — accepts connections on the listening socket.
//! * [`health`] — the critical actors' registry and the watchdog's health monitor.

pub mod event_hub;
pub mod health;
pub mod large_events;
pub mod live_chat;
pub mod oauth;
pub mod rpc_client;
pub mod rpc_server;
pub mod session;
pub mod threads;
