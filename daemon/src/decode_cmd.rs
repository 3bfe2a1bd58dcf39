//! `cxone-chatd decode FILE|-`: decode one CXone frame or REST body exactly as the daemon does
//! and print what it understood, so that an integrator can check a captured document offline.

use std::io::Read;

use cxone_chat_protocol::cxone::decode::decode_document;
use serde_json::json;

/// Why `decode` failed; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DecodeCmdError {
    /// The input could not be read.
    #[error("cannot read {source_name}: {error}")]
    ReadInput {
        /// The file name, or `standard input`.
        source_name: String,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },
    /// The input is not valid UTF-8.
    #[error("{source_name} is not UTF-8 text; CXone documents are UTF-8 JSON")]
    NotUtf8 {
        /// The file name, or `standard input`.
        source_name: String,
    },
    /// The document does not decode.
    #[error("{source_name} does not decode: {error}")]
    Decode {
        /// The file name, or `standard input`.
        source_name: String,
        /// Which field, and what was wrong with it.
        #[source]
        error: cxone_chat_protocol::cxone::DecodeError,
    },
}

/// Reads `path` (`-` for standard input), decodes it and returns the
/// `{"kind": …, "value": …}` document to print.
pub fn run(path: &str) -> Result<serde_json::Value, DecodeCmdError> {
    let source_name = if path == "-" {
        "standard input".to_owned()
    } else {
        path.to_owned()
    };
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    read.map_err(|error| DecodeCmdError::ReadInput {
        source_name: source_name.clone(),
        error,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| DecodeCmdError::NotUtf8 {
        source_name: source_name.clone(),
    })?;
    let decoded =
        decode_document(&text).map_err(|error| DecodeCmdError::Decode { source_name, error })?;
    Ok(json!({ "kind": decoded.kind, "value": decoded.value() }))
}
