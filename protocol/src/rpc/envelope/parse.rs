//! Reading one line from a client: a single message or a batch, classified item by item so a
//! server can dispatch the valid ones and answer the rest.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Id, JSONRPC_VERSION, Notification, Params, Request, Response};
use crate::rpc::errors::{ErrorCode, ErrorObject, ErrorReason};

/// The default cap on the number of items in one batch.
pub const DEFAULT_MAX_BATCH_LEN: usize = 100;

/// Limits applied while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// The largest batch accepted; a longer one is refused whole with −32600
    /// (`reason: "batch too long"`, `limit`). Batches are capped because each item may start work
    /// in the daemon, and a line-length limit alone does not bound the number of tiny items.
    pub max_batch_len: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_batch_len: DEFAULT_MAX_BATCH_LEN,
        }
    }
}

/// What one line held.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// One message (valid or not).
    Single(Item),
    /// A non-empty batch within the limit: one item per element, in order. Answer with the
    /// responses of its requests and invalid items as one array ([`super::Reply::batch`]), or
    /// nothing at all if there are none.
    Batch(Vec<Item>),
    /// The line as a whole is refused (not JSON, empty batch, batch too long): send this one
    /// response, never an array, and dispatch nothing.
    Rejected(Response),
}

/// One message of a line, classified.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A valid call: dispatch it and answer with its id.
    Request(Request),
    /// A valid notification: dispatch it and never answer.
    Notification(Notification),
    /// Not a valid request object: send this error response (with the id when it could be read).
    Invalid(Response),
    /// A notification the daemon cannot act on (parameters by position, or parameters it cannot
    /// represent). Never answered, as JSON-RPC requires; worth a log line.
    IgnoredNotification {
        /// The notification's method.
        method: String,
        /// What would have been answered, had it been a request.
        error: ErrorObject,
    },
}

/// Parses one line of text. Never fails: every problem becomes an answer to send.
pub fn parse(text: &str, options: &ParseOptions) -> Incoming {
    // Validating the whole line first means a syntax error anywhere, even deep inside a batch,
    // gives the single −32700 the spec asks for.
    let raw: &RawValue = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => return Incoming::Rejected(parse_error(e.to_string())),
    };
    let body = raw.get();
    if !body.starts_with('[') {
        return Incoming::Single(parse_item(raw));
    }
    let items: Vec<&RawValue> = match serde_json::from_str(body) {
        Ok(items) => items,
        Err(e) => return Incoming::Rejected(parse_error(e.to_string())),
    };
    if items.is_empty() {
        let error = ErrorObject::for_reason(ErrorReason::EmptyBatch);
        return Incoming::Rejected(Response::error(Id::Null, error));
    }
    if items.len() > options.max_batch_len {
        let error = ErrorObject::for_reason(ErrorReason::BatchTooLong)
            .with_limit(options.max_batch_len as u64)
            .with_detail(format!(
                "the batch has {} items; send at most {} per batch",
                items.len(),
                options.max_batch_len
            ));
        return Incoming::Rejected(Response::error(Id::Null, error));
    }
    Incoming::Batch(items.into_iter().map(parse_item).collect())
}

/// Parses one line of bytes; invalid UTF-8 is a parse error (−32700, `reason: "invalid utf-8"`).
pub fn parse_bytes(bytes: &[u8], options: &ParseOptions) -> Incoming {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, options),
        Err(e) => Incoming::Rejected(Response::error(
            Id::Null,
            ErrorObject::for_reason(ErrorReason::InvalidUtf8).with_detail(e.to_string()),
        )),
    }
}

fn parse_error(detail: String) -> Response {
    Response::error(
        Id::Null,
        ErrorObject::new(ErrorCode::ParseError).with_detail(detail),
    )
}

fn invalid(id: Id, detail: &str) -> Item {
    Item::Invalid(Response::error(
        id,
        ErrorObject::new(ErrorCode::InvalidRequest).with_detail(detail),
    ))
}

/// The members of a request object, unparsed. Each is `Some` when present, even as `null`.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    jsonrpc: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    id: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

fn parse_item(raw: &RawValue) -> Item {
    if !raw.get().starts_with('{') {
        return invalid(Id::Null, "a JSON-RPC message must be an object");
    }
    let envelope: RawEnvelope<'_> = match serde_json::from_str(raw.get()) {
        Ok(envelope) => envelope,
        // Only a duplicated member gets here: the text is already known to be a valid object.
        Err(e) => return invalid(Id::Null, &e.to_string()),
    };

    // The id comes first so that every later complaint can echo it.
    let id = match envelope.id.map(Id::from_raw).transpose() {
        Ok(id) => id,
        Err(reason) => return invalid(Id::Null, reason),
    };
    let reply_id = id.clone().unwrap_or(Id::Null);

    let version_ok = envelope
        .jsonrpc
        .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        .is_some_and(|v| v == JSONRPC_VERSION);
    if !version_ok {
        return invalid(reply_id, "\"jsonrpc\" must be exactly \"2.0\"");
    }
    let Some(method) = envelope
        .method
        .and_then(|m| serde_json::from_str::<String>(m.get()).ok())
    else {
        return invalid(reply_id, "\"method\" must be a string");
    };

    let params = match envelope.params.map(|p| p.get()) {
        None => None,
        Some(text) if text.starts_with('{') => match serde_json::from_str::<Params>(text) {
            Ok(params) => Some(params),
            // Valid JSON that serde_json cannot hold: a number beyond f64, or nesting deeper
            // than its recursion limit.
            Err(e) => {
                let error = ErrorObject::new(ErrorCode::InvalidParams).with_detail(e.to_string());
                return reject_params(id, method, error);
            }
        },
        Some(text) if text.starts_with('[') => {
            let error = ErrorObject::for_reason(ErrorReason::ParamsByPosition);
            return reject_params(id, method, error);
        }
        Some("null") => None,
        Some(_) => {
            return invalid(reply_id, "\"params\" must be an object (or be left out)");
        }
    };

    match id {
        Some(id) => Item::Request(Request { id, method, params }),
        None => Item::Notification(Notification { method, params }),
    }
}

/// A structurally valid message whose params the daemon cannot take: answered when it is a
/// request, only reported when it is a notification.
fn reject_params(id: Option<Id>, method: String, error: ErrorObject) -> Item {
    match id {
        Some(id) => Item::Invalid(Response::error(id, error)),
        None => Item::IgnoredNotification { method, error },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rpc::envelope::ResponsePayload;

    fn single(text: &str) -> Item {
        match parse(text, &ParseOptions::default()) {
            Incoming::Single(item) => item,
            other => panic!("expected a single item, got {other:?}"),
        }
    }

    fn error_of(item: &Item) -> (Id, i64) {
        match item {
            Item::Invalid(Response {
                id,
                payload: ResponsePayload::Error(e),
            }) => (id.clone(), e.code),
            other => panic!("expected an invalid item, got {other:?}"),
        }
    }

    #[test]
    fn null_id_is_a_request_and_missing_id_a_notification() {
        let Item::Request(r) = single(r#"{"jsonrpc":"2.0","method":"m","id":null}"#) else {
            panic!("not a request")
        };
        assert_eq!(r.id, Id::Null);
        assert!(matches!(
            single(r#"{"jsonrpc":"2.0","method":"m"}"#),
            Item::Notification(_)
        ));
    }

    #[test]
    fn version_must_be_exactly_2_0() {
        for bad in [r#""1.0""#, "2.0", r#""2.00""#, "null"] {
            let text = format!(r#"{{"jsonrpc":{bad},"method":"m","id":7}}"#);
            assert_eq!(error_of(&single(&text)), (Id::from(7), -32600), "{text}");
        }
        let missing = single(r#"{"method":"m","id":"x"}"#);
        assert_eq!(error_of(&missing), (Id::from("x"), -32600));
        // An escaped but equal string is the same string.
        assert!(matches!(
            single(r#"{"jsonrpc":"2\u002e0","method":"m","id":1}"#),
            Item::Request(_)
        ));
    }

    #[test]
    fn unreadable_ids_are_answered_with_null() {
        for id in ["true", "{}", "[]"] {
            let text = format!(r#"{{"jsonrpc":"2.0","method":"m","id":{id}}}"#);
            assert_eq!(error_of(&single(&text)), (Id::Null, -32600), "{text}");
        }
    }

    #[test]
    fn params_by_position_are_refused_with_invalid_params() {
        let item = single(r#"{"jsonrpc":"2.0","method":"m","params":[1],"id":1}"#);
        assert_eq!(error_of(&item), (Id::from(1), -32602));
        let Item::IgnoredNotification { method, error } =
            single(r#"{"jsonrpc":"2.0","method":"m","params":[1]}"#)
        else {
            panic!("a notification must not be answered")
        };
        assert_eq!(
            (method.as_str(), error.data.reason),
            ("m", Some(ErrorReason::ParamsByPosition))
        );
    }

    #[test]
    fn scalar_params_are_an_invalid_request_and_null_params_are_absent() {
        let item = single(r#"{"jsonrpc":"2.0","method":"m","params":"bar","id":2}"#);
        assert_eq!(error_of(&item), (Id::from(2), -32600));
        let Item::Request(r) = single(r#"{"jsonrpc":"2.0","method":"m","params":null,"id":2}"#)
        else {
            panic!("not a request")
        };
        assert_eq!(r.params, None);
    }

    #[test]
    fn duplicate_members_make_the_object_invalid() {
        let item = single(r#"{"jsonrpc":"2.0","method":"m","method":"n","id":1}"#);
        assert_eq!(error_of(&item), (Id::Null, -32600));
    }

    #[test]
    fn unknown_members_are_ignored() {
        let Item::Request(r) =
            single(r#"{"jsonrpc":"2.0","method":"m","params":{"a":1},"id":1,"extra":[1]}"#)
        else {
            panic!("not a request")
        };
        assert_eq!(r.params.unwrap()["a"], json!(1));
    }

    #[test]
    fn unrepresentable_params_are_invalid_params() {
        let item = single(r#"{"jsonrpc":"2.0","method":"m","params":{"n":1e400},"id":3}"#);
        assert_eq!(error_of(&item), (Id::from(3), -32602));
    }

    #[test]
    fn batch_limit() {
        let options = ParseOptions { max_batch_len: 2 };
        let text = r#"[{"jsonrpc":"2.0","method":"m"},{"jsonrpc":"2.0","method":"m"},{"jsonrpc":"2.0","method":"m"}]"#;
        let Incoming::Rejected(r) = parse(text, &options) else {
            panic!("not rejected")
        };
        let e = r.into_result().unwrap_err();
        assert_eq!(
            (e.code, e.data.reason, e.data.limit),
            (-32600, Some(ErrorReason::BatchTooLong), Some(2))
        );
        let two = r#"[{"jsonrpc":"2.0","method":"m"},{"jsonrpc":"2.0","method":"m"}]"#;
        assert!(matches!(parse(two, &options), Incoming::Batch(items) if items.len() == 2));
    }

    #[test]
    fn invalid_utf8_is_a_parse_error() {
        let Incoming::Rejected(r) = parse_bytes(b"{\"a\":\"\xff\"}", &ParseOptions::default())
        else {
            panic!("not rejected")
        };
        let e = r.into_result().unwrap_err();
        assert_eq!(
            (e.code, e.data.reason),
            (-32700, Some(ErrorReason::InvalidUtf8))
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        // serde_json skips over raw values without recursing, and stops at its recursion limit
        // when it builds values, so neither step can exhaust the stack.
        let depth = 100_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let Incoming::Batch(items) = parse(&text, &ParseOptions::default()) else {
            panic!("not a batch")
        };
        assert_eq!(items.len(), 1);
        assert_eq!(error_of(&items[0]), (Id::Null, -32600));
        let params = format!(
            r#"{{"jsonrpc":"2.0","method":"m","params":{{"a":{}{}}},"id":1}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(error_of(&single(&params)), (Id::from(1), -32602));
    }
}
