//! JSON-RPC 2.0 envelopes: ids, requests, notifications, responses, and the parser for what a
//! client sends.
//!
//! Rules this module enforces (JSON-RPC 2.0, "Request object" and "Batch"):
//!
//! * `"jsonrpc"` must be exactly `"2.0"`; `"method"` must be a string.
//! * A message **without** an `id` member is a notification and is never answered; a message with
//!   `"id": null` is a request (answered with `"id": null`).
//! * An id is a string or a number and is echoed back exactly as sent: a numeric id keeps its
//!   original text (`1.0`, `1e3`, a 30-digit integer), which `serde_json::Number` would not.
//! * Parameters are **by name only**: `params` must be an object or absent. An array is answered
//!   with −32602 (`reason: "params by position"`). `"params": null` is read as absent, as most
//!   implementations do.
//! * Unknown top-level members are ignored; a duplicated member makes the object invalid.
//!
//! Parsing stops at the envelope: `params` stays an untyped JSON object until the dispatcher knows
//! the method and decodes it with [`crate::rpc::methods::decode_params`].

mod id;
mod parse;

pub use id::{Id, IdNumber};
pub use parse::{DEFAULT_MAX_BATCH_LEN, Incoming, Item, ParseOptions, parse, parse_bytes};

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::errors::ErrorObject;

/// The only protocol version this API speaks.
pub const JSONRPC_VERSION: &str = "2.0";

/// Named parameters of a call: a JSON object, kept untyped until the method is known.
pub type Params = Map<String, Value>;

/// A call that expects a [`Response`].
///
/// Serializing one is how a client writes a call; a server reads calls with [`parse`], which also
/// classifies what is not a valid request, so there is deliberately no `Deserialize`.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The id the response will echo. [`Id::Null`] is allowed (and answered with `null`).
    pub id: Id,
    /// The method name, e.g. `thread.send`.
    pub method: String,
    /// The named parameters, or `None` when the member was absent.
    pub params: Option<Params>,
}

/// A call that expects no answer, in either direction (client → daemon, or the daemon's
/// `events.event` pushes).
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// The method name, e.g. `events.event`.
    pub method: String,
    /// The named parameters, or `None` when the member was absent.
    pub params: Option<Params>,
}

/// The answer to one [`Request`]: a result **or** an error, never both.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The request's id, or [`Id::Null`] when it could not be read.
    pub id: Id,
    /// The result or the error.
    pub payload: ResponsePayload,
}

/// What a [`Response`] carries.
#[derive(Clone, Debug)]
pub enum ResponsePayload {
    /// The call succeeded; any JSON value, `null` included.
    Result(Value),
    /// The call succeeded, its result already serialized: how the daemon answers, its typed
    /// results written as text with no `Value` built between. Reading a response never gives
    /// this variant; it equals a [`Self::Result`] holding the same JSON.
    Serialized(Box<RawValue>),
    /// The call failed.
    Error(ErrorObject),
}

impl PartialEq for ResponsePayload {
    fn eq(&self, other: &Self) -> bool {
        let parsed = |r: &RawValue| serde_json::from_str::<Value>(r.get()).ok();
        match (self, other) {
            (Self::Result(a), Self::Result(b)) => a == b,
            (Self::Serialized(a), Self::Serialized(b)) => a.get() == b.get(),
            (Self::Result(v), Self::Serialized(r)) | (Self::Serialized(r), Self::Result(v)) => {
                parsed(r).as_ref() == Some(v)
            }
            (Self::Error(a), Self::Error(b)) => a == b,
            _ => false,
        }
    }
}

/// What the daemon writes back for one line: a single response, or the array answering a batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The answer to a single request (or to a line that was rejected as a whole).
    Single(Response),
    /// The answers to a batch, one per request item; never empty.
    Batch(Vec<Response>),
}

impl Request {
    /// A request without params.
    pub fn new(id: impl Into<Id>, method: impl Into<String>) -> Self {
        Request {
            id: id.into(),
            method: method.into(),
            params: None,
        }
    }

    /// A request whose params are `params` serialized, which must give a JSON object.
    pub fn with_params<P: Serialize>(
        id: impl Into<Id>,
        method: impl Into<String>,
        params: &P,
    ) -> Result<Self, serde_json::Error> {
        Ok(Request {
            id: id.into(),
            method: method.into(),
            params: Some(to_params(params)?),
        })
    }
}

impl Notification {
    /// A notification without params.
    pub fn new(method: impl Into<String>) -> Self {
        Notification {
            method: method.into(),
            params: None,
        }
    }

    /// A notification whose params are `params` serialized, which must give a JSON object.
    pub fn with_params<P: Serialize>(
        method: impl Into<String>,
        params: &P,
    ) -> Result<Self, serde_json::Error> {
        Ok(Notification {
            method: method.into(),
            params: Some(to_params(params)?),
        })
    }
}

impl Response {
    /// A successful response.
    pub fn success(id: Id, result: Value) -> Self {
        Response {
            id,
            payload: ResponsePayload::Result(result),
        }
    }

    /// A successful response whose result is already serialized.
    pub fn serialized(id: Id, result: Box<RawValue>) -> Self {
        Response {
            id,
            payload: ResponsePayload::Serialized(result),
        }
    }

    /// A successful response whose result is `result` serialized.
    pub fn from_result<T: Serialize>(id: Id, result: &T) -> Result<Self, serde_json::Error> {
        Ok(Response::success(id, serde_json::to_value(result)?))
    }

    /// A failed response.
    pub fn error(id: Id, error: impl Into<ErrorObject>) -> Self {
        Response {
            id,
            payload: ResponsePayload::Error(error.into()),
        }
    }

    /// The result, or the error as `Err`.
    pub fn into_result(self) -> Result<Value, ErrorObject> {
        match self.payload {
            ResponsePayload::Result(v) => Ok(v),
            // Text serde_json wrote, so it parses; were it ever not to, that is said, not hidden.
            ResponsePayload::Serialized(r) => serde_json::from_str(r.get()).map_err(|e| {
                ErrorObject::new(super::errors::ErrorCode::InternalError)
                    .with_detail(format!("the result is not JSON: {e}"))
            }),
            ResponsePayload::Error(e) => Err(e),
        }
    }
}

impl Reply {
    /// The reply to a batch: `None` when no item needs an answer (a batch of notifications gets no
    /// reply at all, not an empty array).
    pub fn batch(responses: Vec<Response>) -> Option<Reply> {
        (!responses.is_empty()).then_some(Reply::Batch(responses))
    }
}

fn to_params<P: Serialize>(params: &P) -> Result<Params, serde_json::Error> {
    match serde_json::to_value(params)? {
        Value::Object(map) => Ok(map),
        other => Err(serde::ser::Error::custom(format!(
            "params must serialize to a JSON object (by-name), not {other}"
        ))),
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        map.serialize_entry("method", &self.method)?;
        if let Some(params) = &self.params {
            map.serialize_entry("params", params)?;
        }
        map.serialize_entry("id", &self.id)?;
        map.end()
    }
}

impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        map.serialize_entry("method", &self.method)?;
        if let Some(params) = &self.params {
            map.serialize_entry("params", params)?;
        }
        map.end()
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        match &self.payload {
            ResponsePayload::Result(v) => map.serialize_entry("result", v)?,
            ResponsePayload::Serialized(r) => map.serialize_entry("result", r)?,
            ResponsePayload::Error(e) => map.serialize_entry("error", e)?,
        }
        map.serialize_entry("id", &self.id)?;
        map.end()
    }
}

impl Serialize for Reply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Reply::Single(r) => r.serialize(s),
            Reply::Batch(rs) => rs.serialize(s),
        }
    }
}

/// Deserializes a member that is present, even as `null`, to `Some`: serde's plain `Option`
/// cannot tell `"result": null` (a valid result) from a missing member.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The members of a response or notification as a client reads them from the daemon.
#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    jsonrpc: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    params: Option<Params>,
    #[serde(default, deserialize_with = "present")]
    result: Option<Value>,
    #[serde(default)]
    error: Option<ErrorObject>,
    #[serde(default, deserialize_with = "present")]
    id: Option<Id>,
}

impl WireMessage {
    fn check_version<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.jsonrpc.as_deref() {
            Some(JSONRPC_VERSION) => Ok(()),
            _ => Err(E::custom("\"jsonrpc\" must be exactly \"2.0\"")),
        }
    }
}

/// Reads a response as a client receives it. `"error": null` beside a result is tolerated.
impl<'de> Deserialize<'de> for Response {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = WireMessage::deserialize(d)?;
        w.check_version()?;
        let id = w.id.ok_or_else(|| D::Error::missing_field("id"))?;
        let payload = match (w.result, w.error) {
            (Some(result), None) => ResponsePayload::Result(result),
            (None, Some(error)) => ResponsePayload::Error(error),
            (Some(_), Some(_)) => {
                return Err(D::Error::custom(
                    "a response has \"result\" or \"error\", not both",
                ));
            }
            (None, None) => {
                return Err(D::Error::custom("a response needs \"result\" or \"error\""));
            }
        };
        Ok(Response { id, payload })
    }
}

/// Reads a notification as a client receives it from the daemon. The daemon itself reads client
/// messages with [`parse`], which also tells requests and invalid objects apart.
impl<'de> Deserialize<'de> for Notification {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = WireMessage::deserialize(d)?;
        w.check_version()?;
        if w.id.is_some() {
            return Err(D::Error::custom("a notification has no \"id\""));
        }
        let method = w.method.ok_or_else(|| D::Error::missing_field("method"))?;
        Ok(Notification {
            method,
            params: w.params,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rpc::errors::ErrorCode;

    #[test]
    fn a_serialized_result_is_written_and_compared_as_the_same_value() {
        let value = json!({"name": "cxone-chatd", "capabilities": ["batch"], "n": 1.5});
        let raw = serde_json::value::to_raw_value(&value).unwrap();
        let serialized = Response::serialized(Id::from(7), raw);
        let plain = Response::success(Id::from(7), value.clone());
        assert_eq!(
            serde_json::to_string(&serialized).unwrap(),
            serde_json::to_string(&plain).unwrap()
        );
        assert_eq!(serialized, plain);
        assert_eq!(plain, serialized);
        assert_ne!(
            serialized,
            Response::success(Id::from(7), json!({"name": "x"}))
        );
        assert_eq!(serialized.into_result(), Ok(value));
    }

    #[test]
    fn response_serializes_result_xor_error() {
        let ok = Response::success(Id::from(1), Value::Null);
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"jsonrpc":"2.0","result":null,"id":1}"#
        );
        let err = Response::error(Id::Null, ErrorCode::ParseError);
        let v = serde_json::to_value(&err).unwrap();
        assert_eq!(v["error"]["code"], -32700);
        assert!(v.get("result").is_none());
    }

    #[test]
    fn response_deserialize_keeps_null_result_and_rejects_both_or_neither() {
        let r: Response =
            serde_json::from_str(r#"{"jsonrpc":"2.0","result":null,"id":"a"}"#).unwrap();
        assert_eq!(r, Response::success(Id::from("a"), Value::Null));
        let tolerated: Response =
            serde_json::from_str(r#"{"jsonrpc":"2.0","result":1,"error":null,"id":1}"#).unwrap();
        assert_eq!(tolerated.into_result().unwrap(), json!(1));
        for bad in [
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","result":1}"#,
            r#"{"jsonrpc":"1.0","result":1,"id":1}"#,
            r#"{"jsonrpc":"2.0","result":1,"error":{"code":1,"message":"m","data":{"kind":"timeout","retryable":true}},"id":1}"#,
        ] {
            assert!(serde_json::from_str::<Response>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn notification_round_trips_and_refuses_an_id() {
        let n = Notification::with_params("events.event", &json!({"seq": 1})).unwrap();
        let text = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Notification>(&text).unwrap(), n);
        assert!(
            serde_json::from_str::<Notification>(r#"{"jsonrpc":"2.0","method":"m","id":null}"#)
                .is_err()
        );
    }

    #[test]
    fn params_must_serialize_to_an_object() {
        assert!(Request::with_params(1, "m", &[1, 2]).is_err());
        assert!(Notification::with_params("m", &"text").is_err());
    }

    #[test]
    fn an_empty_batch_reply_is_no_reply() {
        assert_eq!(Reply::batch(Vec::new()), None);
        let one = Reply::batch(vec![Response::success(Id::from(1), json!(true))]).unwrap();
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            json!([{"jsonrpc":"2.0","result":true,"id":1}])
        );
    }
}
