//! The local API's server side: accepting connections, dispatching calls to handlers, and the
//! state every call can reach. Wire types come from `cxone_chat_protocol::rpc`.

pub mod conn_io;
pub mod dispatch;
pub mod errors;
pub mod server;
pub mod sessions;
pub mod state;
