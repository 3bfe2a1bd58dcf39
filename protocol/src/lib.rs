//! Wire types of cxone-chatd, and nothing else: no I/O, no actors, no daemon state.
//!
//! Two independent wire formats live here:
//!
//! * [`rpc`] — the local API that host applications speak over the daemon's socket: JSON-RPC 2.0
//!   envelopes, the NDJSON line codec, a typed definition of every method and notification, the
//!   error-code table and the OpenRPC document generated from those types.
//! * [`cxone`] — the CXone digital-engagement chat protocol the daemon speaks to the back end:
//!   the WebSocket frames it sends and receives, every event's data, and the REST bodies.
//!
//! **Invariant:** `rpc` and `cxone` do not know about each other. Converting between the back
//! end's view of a chat and the local API's view is the daemon's job, in one named place.
#![warn(missing_docs)]

pub mod cxone;
pub mod rpc;
