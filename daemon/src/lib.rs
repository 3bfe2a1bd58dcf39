//! cxone-chatd: a headless daemon that speaks the CXone chat protocol to the back end and
//! serves host applications over a local JSON-RPC socket.
//!
//! The daemon proper (actors, RPC server, store) arrives with issue #4. Today the library holds
//! the one-shot commands of the binary.

pub mod decode_cmd;
pub mod upstream;
