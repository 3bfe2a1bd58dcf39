//! What can go wrong, and the exit code each failure gives (documented in `--help` and in
//! README.md, so scripts can branch on them).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use cxone_chat_protocol::rpc::ErrorCode;
use serde_json::{Value, json};

/// Exit codes of `cxone-chat`.
pub(crate) mod exit {
    /// Any other failure (an I/O error, a daemon answer that is not JSON).
    pub(crate) const FAILURE: u8 = 1;
    /// Bad command line or arguments (clap uses 2 as well).
    pub(crate) const USAGE: u8 = 2;
    /// The daemon is not running at the socket, or went away.
    pub(crate) const UNREACHABLE: u8 = 3;
    /// The daemon answered with a JSON-RPC error.
    pub(crate) const RPC_ERROR: u8 = 4;
    /// No answer (or no awaited event) in time.
    pub(crate) const TIMEOUT: u8 = 5;
}

/// A failure of a command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The command line asks for something impossible.
    Usage(String),
    /// Nothing listens at the socket.
    Unreachable { socket: PathBuf, detail: String },
    /// The daemon closed the connection.
    Lost { socket: PathBuf },
    /// The daemon answered with an error.
    Rpc {
        method: String,
        code: i64,
        message: String,
        data: Value,
    },
    /// Something did not happen in time.
    Timeout { what: String, after: Duration },
    /// Anything else.
    Other(String),
}

impl CliError {
    /// The error of a JSON-RPC answer to `method`.
    pub(crate) fn rpc(method: &str, error: &Value) -> Self {
        CliError::Rpc {
            method: method.to_owned(),
            code: error["code"].as_i64().unwrap_or(0),
            message: error["message"]
                .as_str()
                .unwrap_or("(no message)")
                .to_owned(),
            data: error.get("data").cloned().unwrap_or(Value::Null),
        }
    }

    /// The process exit code for this failure.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::Unreachable { .. } | CliError::Lost { .. } => exit::UNREACHABLE,
            CliError::Rpc { .. } => exit::RPC_ERROR,
            CliError::Timeout { .. } => exit::TIMEOUT,
            CliError::Other(_) => exit::FAILURE,
        }
    }

    /// The failure as JSON, for `--json` (the JSON-RPC error object for daemon errors).
    pub(crate) fn to_json(&self) -> Value {
        match self {
            CliError::Rpc {
                method,
                code,
                message,
                data,
            } => {
                json!({"error": {"code": code, "message": message, "data": data}, "method": method})
            }
            other => {
                json!({"error": {"message": other.to_string(), "exitCode": other.exit_code()}})
            }
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Other(m) => f.write_str(m),
            CliError::Unreachable { socket, detail } => write!(
                f,
                "daemon not running at {} ({detail}); start it with `cxone-chatd --socket {}` \
                 (or `cxone-chatd --sandbox` to try it without a CXone account), or pass --wait SECS \
                 to wait for it",
                socket.display(),
                socket.display()
            ),
            CliError::Lost { socket } => write!(
                f,
                "the daemon at {} closed the connection (stopped or restarted); start it again \
                 and retry",
                socket.display()
            ),
            CliError::Rpc {
                method,
                code,
                message,
                data,
            } => {
                let kind = data["kind"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| ErrorCode::from_code(*code).map(|c| c.name().to_owned()))
                    .unwrap_or_else(|| "error".to_owned());
                write!(f, "{method} failed: {message} [{kind} {code}]")?;
                if let Some(field) = data["field"].as_str() {
                    write!(f, "; field: {field}")?;
                }
                if let Some(detail) = data["detail"].as_str() {
                    write!(f, "; {detail}")?;
                }
                if let Some(backend) = data["backendCode"].as_str() {
                    write!(f, "; back end said {backend}")?;
                }
                Ok(())
            }
            CliError::Timeout { what, after } => {
                write!(
                    f,
                    "timed out after {:.1} s waiting for {what}",
                    after.as_secs_f64()
                )
            }
        }
    }
}
