//! Frozen JSON of the error model and the envelope: the error object of every code and reason,
//! the error table, and what the parser and codec answer on their own.

use std::fmt::Debug;

use cxone_chat_protocol::rpc::codec::FrameError;
use cxone_chat_protocol::rpc::envelope::{
    Id, Incoming, ParseOptions, Reply, Request, Response, parse,
};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject, ErrorReason};
use cxone_chat_protocol::rpc::methods::thread::ThreadTypingParams;
use cxone_chat_protocol::rpc::types::SessionName;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn snapshot(name: &str, value: &impl Serialize) {
    insta::with_settings!({ sort_maps => true }, {
        insta::assert_json_snapshot!(name, value);
    });
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> Value {
    let json = serde_json::to_value(value).unwrap();
    assert_eq!(
        &serde_json::from_value::<T>(json.clone()).unwrap(),
        value,
        "{json}"
    );
    json
}

#[test]
fn error_object_of_every_code() {
    let objects: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(|c| round_trip(&ErrorObject::new(*c)))
        .collect();
    snapshot("error-objects", &objects);
    let full = ErrorObject::new(ErrorCode::BackendRejected)
        .with_detail("SendMessage was refused")
        .with_field("threadId")
        .with_correlation_id("7f3e2a10")
        .with_backend_code("SendingMessageFailed")
        .with_backend_status(400);
    snapshot("error-object-with-every-member", &round_trip(&full));
    let reasons: Vec<Value> = ErrorReason::ALL
        .iter()
        .map(|r| round_trip(&ErrorObject::for_reason(*r)))
        .collect();
    snapshot("error-objects-for-reasons", &reasons);
}

#[test]
fn error_table() {
    let table: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(|c| json!({ "code": c.code(), "name": c.name(), "category": c.category(), "retryable": c.retryable(), "message": c.message() }))
        .collect();
    snapshot("error-table", &table);
}

#[test]
fn envelope_answers() {
    let options = ParseOptions::default();
    let rejected = |line: &str| match parse(line, &options) {
        Incoming::Rejected(r) => r,
        other => panic!("{other:?}"),
    };
    let answers = json!({
        "parseError": rejected("{"),
        "emptyBatch": rejected("[]"),
        "batchTooLong": match parse("[1,2]", &ParseOptions { max_batch_len: 1 }) { Incoming::Rejected(r) => r, other => panic!("{other:?}") },
        "lineTooLong": FrameError::LineTooLong { limit: 4_194_304 }.to_response(),
        "success": Reply::Single(Response::success(Id::from(1), json!({}))),
        "batch": Reply::batch(vec![Response::success(Id::from("a"), Value::Null), Response::error(Id::Null, ErrorCode::InvalidRequest)]),
        "request": Request::with_params(7, "thread.typing", &ThreadTypingParams { session: SessionName::default(), thread_id: "3118d0df-99aa-49e9-a115-c5b98736dee7".into(), is_typing: false, preview: None }).unwrap(),
    });
    snapshot("envelope-answers", &answers);
}
