//! The daemon's actors, one per file with the messages each one handles beside it. Each is a
//! thin shell over plain logic kept outside this module.
//!
//! * [`event_hub`] — numbers events, keeps the replay buffer, feeds subscribers and pollers.
//! * [`session`] — one per chat session: state, connection, customer, lifecycle.
//! * [`threads`] — one per session: the thread registry, its messages, sending and the outbox.
//! * [`oauth`] — one per session: logins, tokens and their renewal.
//! * [`live_chat`] — one per session: live-chat availability, cached for 60 s.
//! * [`large_events`] — one per daemon: downloads the events behind `EventInS3` frames.
//! * [`health`] — the critical actors' registry and the watchdog's health monitor.

pub(crate) mod event_hub;
pub(crate) mod health;
pub(crate) mod large_events;
pub(crate) mod live_chat;
pub(crate) mod oauth;
pub(crate) mod session;
pub(crate) mod threads;
