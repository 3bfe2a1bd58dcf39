//! The examples section of the JSON-RPC 2.0 specification, run through `envelope::parse` and a
//! minimal server loop (dispatch valid items, answer invalid ones, never answer notifications).
//!
//! This API takes parameters by name only, so each by-position example is checked twice: as
//! written (answered with −32602, or silently dropped for a notification) and rewritten with
//! named parameters (answered as the specification shows).

use cxone_chat_protocol::rpc::envelope::{
    Incoming, Item, Params, ParseOptions, Reply, Response, parse,
};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject, ErrorReason};
use serde_json::{Value, json};

/// The specification's example methods, by name.
fn call(method: &str, params: Option<&Params>) -> Result<Value, ErrorObject> {
    let num = |name: &str| params.and_then(|p| p.get(name)).and_then(Value::as_i64);
    match method {
        "subtract" => match (num("minuend"), num("subtrahend")) {
            (Some(a), Some(b)) => Ok(json!(a - b)),
            _ => Err(ErrorObject::new(ErrorCode::InvalidParams)),
        },
        "sum" => {
            let values = params
                .and_then(|p| p.get("values"))
                .and_then(Value::as_array);
            Ok(json!(
                values
                    .map(|v| v.iter().filter_map(Value::as_i64).sum::<i64>())
                    .unwrap_or(0)
            ))
        }
        "get_data" => Ok(json!(["hello", 5])),
        "update" | "notify_hello" | "notify_sum" => Ok(Value::Null),
        _ => Err(ErrorObject::new(ErrorCode::MethodNotFound)),
    }
}

/// What a server answers to one item; `None` for notifications, valid or not.
fn answer_item(item: Item) -> Option<Response> {
    match item {
        Item::Request(r) => Some(match call(&r.method, r.params.as_ref()) {
            Ok(result) => Response::success(r.id, result),
            Err(e) => Response::error(r.id, e),
        }),
        Item::Notification(n) => {
            let _ = call(&n.method, n.params.as_ref());
            None
        }
        Item::Invalid(response) => Some(response),
        Item::IgnoredNotification { .. } => None,
    }
}

/// What a server writes back for one line, as JSON; `None` when it writes nothing.
fn serve(line: &str) -> Option<Value> {
    let reply = match parse(line, &ParseOptions::default()) {
        Incoming::Single(item) => answer_item(item).map(Reply::Single),
        Incoming::Batch(items) => Reply::batch(items.into_iter().filter_map(answer_item).collect()),
        Incoming::Rejected(response) => Some(Reply::Single(response)),
    };
    reply.map(|r| serde_json::to_value(r).unwrap())
}

/// A response reduced to what the specification's examples pin down: id, and result or code.
fn essence(response: &Value) -> Value {
    assert_eq!(response["jsonrpc"], "2.0");
    assert!(
        response.get("result").is_some() != response.get("error").is_some(),
        "result xor error: {response}"
    );
    match response.get("error") {
        Some(e) => json!({"id": response["id"], "code": e["code"]}),
        None => json!({"id": response["id"], "result": response["result"]}),
    }
}

fn single(line: &str) -> Value {
    let reply = serve(line).expect("an answer");
    assert!(reply.is_object(), "expected a single response, got {reply}");
    essence(&reply)
}

fn batch(line: &str) -> Vec<Value> {
    let reply = serve(line).expect("an answer");
    reply
        .as_array()
        .expect("expected a batch response")
        .iter()
        .map(essence)
        .collect()
}

#[test]
fn call_with_named_parameters() {
    assert_eq!(
        single(
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#
        ),
        json!({"id": 3, "result": 19})
    );
    assert_eq!(
        single(
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 23, "subtrahend": 42}, "id": 4}"#
        ),
        json!({"id": 4, "result": -19})
    );
}

#[test]
fn call_with_positional_parameters_is_invalid_params() {
    assert_eq!(
        single(r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#),
        json!({"id": 1, "code": -32602})
    );
    let reply =
        serve(r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#).unwrap();
    assert_eq!(reply["error"]["data"]["reason"], "params by position");
}

#[test]
fn notifications_are_never_answered() {
    assert_eq!(
        serve(r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#),
        None
    );
    assert_eq!(
        serve(r#"{"jsonrpc": "2.0", "method": "update", "params": {"values": [1,2,3]}}"#),
        None
    );
    assert_eq!(serve(r#"{"jsonrpc": "2.0", "method": "foobar"}"#), None);
    // Not even a notification of an unknown method, nor one whose params are unusable.
    assert_eq!(
        serve(r#"{"jsonrpc": "2.0", "method": "nope", "params": {"n": 1e400}}"#),
        None
    );
}

#[test]
fn null_id_is_a_request_and_is_answered_with_null() {
    assert_eq!(
        single(r#"{"jsonrpc": "2.0", "method": "get_data", "id": null}"#),
        json!({"id": null, "result": ["hello", 5]})
    );
}

#[test]
fn ids_are_echoed_exactly() {
    // serde_json::Number would turn this into 1.2345678901234568e22.
    let line = r#"{"jsonrpc":"2.0","method":"get_data","id":12345678901234567890123.50}"#;
    let Incoming::Single(item) = parse(line, &ParseOptions::default()) else {
        panic!("not single")
    };
    let text = serde_json::to_string(&answer_item(item).unwrap()).unwrap();
    assert!(
        text.ends_with(r#""id":12345678901234567890123.50}"#),
        "{text}"
    );
    assert_eq!(
        single(r#"{"jsonrpc":"2.0","method":"get_data","id":"1"}"#)["id"],
        "1"
    );
}

#[test]
fn non_existent_method() {
    assert_eq!(
        single(r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#),
        json!({"id": "1", "code": -32601})
    );
}

#[test]
fn invalid_json() {
    assert_eq!(
        single(r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#),
        json!({"id": null, "code": -32700})
    );
}

#[test]
fn invalid_request_object() {
    assert_eq!(
        single(r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#),
        json!({"id": null, "code": -32600})
    );
    // The id is echoed when it could be read, even though the rest is wrong.
    assert_eq!(
        single(r#"{"jsonrpc": "2.0", "method": 1, "id": 8}"#),
        json!({"id": 8, "code": -32600})
    );
    assert_eq!(
        single(r#"{"jsonrpc": "1.0", "method": "get_data", "id": 9}"#),
        json!({"id": 9, "code": -32600})
    );
    assert_eq!(
        single(r#"{"method": "get_data"}"#),
        json!({"id": null, "code": -32600})
    );
    assert_eq!(single(r#""a string""#), json!({"id": null, "code": -32600}));
}

#[test]
fn batch_with_invalid_json() {
    assert_eq!(
        single(
            r#"[
              {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
              {"jsonrpc": "2.0", "method"
            ]"#
        ),
        json!({"id": null, "code": -32700})
    );
}

#[test]
fn empty_batch_is_one_invalid_request_not_an_array() {
    let reply = serve("[]").unwrap();
    assert_eq!(essence(&reply), json!({"id": null, "code": -32600}));
    assert_eq!(reply["error"]["data"]["reason"], "empty batch");
}

#[test]
fn invalid_batch_of_one() {
    assert_eq!(batch("[1]"), vec![json!({"id": null, "code": -32600})]);
}

#[test]
fn invalid_batch_of_three() {
    assert_eq!(
        batch("[1,2,3]"),
        vec![json!({"id": null, "code": -32600}); 3]
    );
}

#[test]
fn mixed_batch_as_in_the_specification() {
    let line = r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]"#;
    assert_eq!(
        batch(line),
        vec![
            json!({"id": "1", "code": -32602}),
            json!({"id": "2", "code": -32602}),
            json!({"id": null, "code": -32600}),
            json!({"id": "5", "code": -32601}),
            json!({"id": "9", "result": ["hello", 5]}),
        ]
    );
}

#[test]
fn mixed_batch_with_named_parameters() {
    let line = r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": {"values": [1,2,4]}, "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": {"value": 7}},
        {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]"#;
    assert_eq!(
        batch(line),
        vec![
            json!({"id": "1", "result": 7}),
            json!({"id": "2", "result": 19}),
            json!({"id": null, "code": -32600}),
            json!({"id": "5", "code": -32601}),
            json!({"id": "9", "result": ["hello", 5]}),
        ]
    );
}

#[test]
fn batch_of_notifications_gets_no_answer_at_all() {
    assert_eq!(
        serve(
            r#"[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]}, {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]"#
        ),
        None
    );
    assert_eq!(
        serve(
            r#"[{"jsonrpc": "2.0", "method": "notify_sum", "params": {"values": [1,2,4]}}, {"jsonrpc": "2.0", "method": "notify_hello"}]"#
        ),
        None
    );
}

#[test]
fn batch_over_the_limit_is_refused_whole() {
    let item = r#"{"jsonrpc":"2.0","method":"get_data","id":1}"#;
    let line = format!("[{}]", [item; 3].join(","));
    let options = ParseOptions { max_batch_len: 2 };
    let Incoming::Rejected(response) = parse(&line, &options) else {
        panic!("not rejected")
    };
    let error = response.into_result().unwrap_err();
    assert_eq!(error.code, -32600);
    assert_eq!(
        (error.data.reason, error.data.limit),
        (Some(ErrorReason::BatchTooLong), Some(2))
    );
    assert!(
        matches!(parse(&line, &ParseOptions { max_batch_len: 3 }), Incoming::Batch(items) if items.len() == 3)
    );
}
