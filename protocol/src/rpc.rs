//! The local JSON-RPC 2.0 API of cxone-chatd: what host applications send and receive over the
//! daemon's socket.
//!
//! * [`envelope`] — requests, notifications, responses and batches, and [`envelope::parse`],
//!   which classifies everything a client sends (by-name params only, exact id echo).
//! * `codec` — the NDJSON line codec for tokio (feature `codec`, on by default).
//! * [`errors`] — the [`ErrorCode`] table and the [`ErrorObject`] every error is sent as.
//! * [`methods`] — a typed definition of every method, listed in [`ALL_METHODS`].
//! * [`types`] — the API's own shapes for sessions, threads, messages and customers.
//! * [`notifications`] — the `events.event` notification and every event kind.
//! * [`openrpc`] — the OpenRPC document generated from all of the above.
//!
//! **Architecture invariant:** this module knows nothing about the CXone wire format
//! ([`crate::cxone`]); the daemon converts between the two.

#[cfg(feature = "codec")]
pub mod codec;
pub mod envelope;
pub mod errors;
pub mod methods;
pub mod notifications;
pub mod openrpc;
pub mod types;

pub use envelope::{Id, Incoming, Item, Notification, Reply, Request, Response};
pub use errors::{ErrorCode, ErrorData, ErrorObject};
pub use methods::{ALL_METHODS, Method, MethodInfo};
pub use notifications::{ALL_EVENT_KINDS, EventKind};

/// The version of the local API (`daemon.info` → `protocolVersion`, OpenRPC `info.version`).
///
/// Semver: within one major version changes are additive (new methods, new optional params, new
/// result members, new event kinds); anything else bumps the major version.
pub const API_VERSION: &str = "0.1.0";
