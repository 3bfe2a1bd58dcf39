//! cxone-chatd: a headless daemon that speaks the CXone chat protocol to the back end and
//! serves host applications over a local JSON-RPC socket.
//!
//! * [`run`] — start-up, the main loop, reload and drain; [`options`] — what it runs with;
//!   [`config`] — the configuration layers that produce the options; [`notify`] — the service
//!   manager's notifications.
//! * [`listener`] — the socket file (0600, stale-file handling); [`rpc`] — accepting clients,
//!   checking their credentials, dispatching calls.
//! * [`actors`] — the event hub and the client connections; [`event_log`] — the event stream
//!   as plain data.
//! * [`session`] — a chat session's plain logic; [`upstream`] — the CXone client (REST, the
//!   WebSocket with correlation, heartbeat and large events, reconnect backoff).
//! * [`decode_cmd`] — `cxone-chatd decode`; [`redact`] — secrets out of every log line.

pub(crate) mod actors;
pub mod config;
pub mod decode_cmd;
pub(crate) mod event_log;
pub mod journal;
pub mod listener;
pub mod logging;
pub(crate) mod notify;
pub mod options;
pub mod peer_groups;
pub mod redact;
pub(crate) mod rpc;
pub mod run;
pub(crate) mod session;
pub mod store;
pub(crate) mod to_api;
pub mod upstream;
