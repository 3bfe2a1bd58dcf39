//! The local JSON-RPC 2.0 API of cxone-chatd.

#[cfg(feature = "codec")]
pub mod codec;
pub mod envelope;
pub mod errors;
pub mod methods;
pub mod notifications;
pub mod types;
