//! The local JSON-RPC 2.0 API of cxone-chatd.

pub mod envelope;
pub mod errors;
