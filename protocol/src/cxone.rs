//! The CXone digital-engagement chat protocol (`../shared/cxone/PROTOCOL.md`): what the daemon
//! sends to and receives from the back end.
//!
//! * [`time`], [`common`] — timestamps, ids and the objects shared by many events.
//! * [`message`], [`content`] — messages and their rich content.
//! * [`sent`] — frames the client sends: the envelope, the heartbeat, every event's data.
//! * [`received`], [`events`] — frames the server sends and every received event.
//! * [`rest`] — REST request and response bodies.
//!
//! Decoders follow the SDKs: tolerant of unknown and absent optional fields, strict where the
//! SDKs are strict (UUID thread and message ids, required fields). See [`common`] for the rule
//! that decides which fields are required.

pub mod common;
pub mod content;
pub mod decode;
pub mod events;
mod json;
pub mod message;
pub mod received;
pub mod rest;
pub mod sent;
pub mod time;

pub use common::*;
pub use json::DecodeError;
pub use time::{Timestamp, TimestampError};
