//! Params decoding as the daemon does it: unknown fields are refused with −32602 naming the field,
//! required fields are named when missing, and `session` defaults to `"default"`.

use cxone_chat_protocol::rpc::envelope::Params;
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::analytics::AnalyticsPageParams;
use cxone_chat_protocol::rpc::methods::events::EventsSubscribeParams;
use cxone_chat_protocol::rpc::methods::lifecycle::AppBackgroundParams;
use cxone_chat_protocol::rpc::methods::session::SessionPrepareParams;
use cxone_chat_protocol::rpc::methods::thread::ThreadSendParams;
use cxone_chat_protocol::rpc::methods::threads::ThreadsCreateParams;
use cxone_chat_protocol::rpc::methods::{ALL_METHODS, SessionParams, decode_params, find_method};
use cxone_chat_protocol::rpc::openrpc;
use cxone_chat_protocol::rpc::types::{DEFAULT_SESSION, Environment, EnvironmentName};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn params(value: Value) -> Option<Params> {
    Some(value.as_object().expect("params are an object").clone())
}

fn refused(method: &str, value: Value) -> ErrorObject {
    find_method(method)
        .unwrap_or_else(|| panic!("no method {method}"))
        .check_params(params(value))
        .expect_err("the params should be refused")
}

fn decode<P: DeserializeOwned>(value: Value) -> P {
    decode_params(params(value)).unwrap()
}

#[test]
fn every_method_refuses_an_unknown_field_and_names_it() {
    for method in ALL_METHODS {
        let error = method
            .check_params(params(json!({"bogusField": 1})))
            .unwrap_err();
        assert_eq!(
            error.code,
            ErrorCode::InvalidParams.code(),
            "{}",
            method.name
        );
        assert_eq!(error.data.kind, ErrorCode::InvalidParams);
        assert_eq!(
            error.data.field.as_deref(),
            Some("bogusField"),
            "{}",
            method.name
        );
        assert!(
            error.data.detail.as_deref().unwrap().contains("bogusField"),
            "{}",
            method.name
        );
    }
}

#[test]
fn absent_params_are_enough_exactly_when_nothing_is_required() {
    let doc = openrpc::document();
    for (method, described) in ALL_METHODS.iter().zip(doc["methods"].as_array().unwrap()) {
        let required: Vec<_> = described["params"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["required"] == true)
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        match (method.check_params(None), required.first()) {
            (Ok(()), None) => {}
            (Err(e), Some(first)) => {
                assert_eq!(e.code, -32602, "{}", method.name);
                assert!(
                    required.contains(e.data.field.as_ref().unwrap()),
                    "{}: {e:?}",
                    method.name
                );
                assert!(
                    e.data
                        .detail
                        .as_deref()
                        .unwrap()
                        .starts_with("missing field"),
                    "{first}"
                );
            }
            (result, _) => panic!(
                "{}: {result:?} although required = {required:?}",
                method.name
            ),
        }
    }
}

#[test]
fn a_typo_names_the_typo_and_lists_the_right_names() {
    let error = refused("thread.send", json!({"thraedId": "t", "text": "hi"}));
    assert_eq!(error.data.field.as_deref(), Some("thraedId"));
    let detail = error.data.detail.unwrap();
    assert!(
        detail.contains("unknown field `thraedId`") && detail.contains("`threadId`"),
        "{detail}"
    );
}

#[test]
fn nested_inputs_refuse_unknown_fields_with_their_path() {
    let error = refused(
        "thread.send",
        json!({"threadId": "t", "attachments": [{"path": "/a", "size": 3}]}),
    );
    assert_eq!(error.data.field.as_deref(), Some("attachments[0].size"));
    let error = refused(
        "session.prepare",
        json!({"environment": "EU1", "brandId": 1, "channelId": "c", "customer": {"firstname": "J"}}),
    );
    assert_eq!(error.data.field.as_deref(), Some("customer.firstname"));
    let error = refused(
        "events.subscribe",
        json!({"since": {"epoch": "e", "seq": 1, "sequence": 2}}),
    );
    assert_eq!(error.data.field.as_deref(), Some("since.sequence"));
    // The environment is read as a whole (name or URLs), so the path stops there and the
    // message names the member.
    let error = refused(
        "session.prepare",
        json!({"environment": {"chatURL": "x", "socketUrl": "y"}, "brandId": 1, "channelId": "c"}),
    );
    assert_eq!(error.data.field.as_deref(), Some("environment"));
    assert!(error.data.detail.unwrap().contains("chatURL"));
}

#[test]
fn missing_and_mistyped_fields_are_named() {
    let error = refused("thread.send", json!({"text": "hi"}));
    assert_eq!(error.data.field.as_deref(), Some("threadId"));
    let error = refused("thread.send", json!({"threadId": 5}));
    assert_eq!(error.data.field.as_deref(), Some("threadId"));
    let error = refused(
        "thread.send",
        json!({"threadId": "t", "attachments": [{"data": "aGk=", "fileName": "a"}]}),
    );
    assert_eq!(error.data.field.as_deref(), Some("attachments[0].mimeType"));
    let error = refused(
        "session.prepare",
        json!({"environment": "EU2", "brandId": 1, "channelId": "c"}),
    );
    assert_eq!(error.data.field.as_deref(), Some("environment"));
    let error = refused("daemon.setLogLevel", json!({"level": "loud"}));
    assert_eq!(error.data.field.as_deref(), Some("level"));
}

#[test]
fn session_defaults_to_default() {
    assert_eq!(
        decode::<SessionParams>(json!({})).session.as_str(),
        DEFAULT_SESSION
    );
    let send: ThreadSendParams = decode(json!({"threadId": "t", "text": "hi"}));
    assert_eq!(send.session.as_str(), DEFAULT_SESSION);
    let prepare: SessionPrepareParams =
        decode(json!({"environment": "EU1", "brandId": 1386, "channelId": "c"}));
    assert_eq!(prepare.session.as_str(), DEFAULT_SESSION);
    assert_eq!(
        prepare.environment,
        Some(Environment::Named(EnvironmentName::EU1))
    );
    let sandbox: SessionPrepareParams =
        decode(json!({"brandId": 1000, "channelId": "chat_single"}));
    assert_eq!(
        sandbox.environment, None,
        "omitted: the sandbox, when there is one"
    );
    let page: AnalyticsPageParams = decode(json!({"title": "Home", "url": "app://home"}));
    assert_eq!(page.session.as_str(), DEFAULT_SESSION);
    let create: ThreadsCreateParams = decode(json!({}));
    assert_eq!(create.session.as_str(), DEFAULT_SESSION);
    let background: AppBackgroundParams = decode(json!({}));
    assert_eq!(
        (background.session.as_str(), background.disconnect),
        (DEFAULT_SESSION, None)
    );
}

#[test]
fn a_named_session_is_kept_and_a_bad_name_refused() {
    let send: ThreadSendParams = decode(json!({"session": "kiosk-2", "threadId": "t"}));
    assert_eq!(send.session.as_str(), "kiosk-2");
    let error = refused("session.connect", json!({"session": "../etc"}));
    assert_eq!(error.data.field.as_deref(), Some("session"));
    let error = refused("session.connect", json!({"session": ""}));
    assert_eq!(error.data.field.as_deref(), Some("session"));
}

#[test]
fn event_filters_default_to_everything() {
    // Here `session` filters events, so leaving it out means every session, not "default".
    let subscribe: EventsSubscribeParams = decode(json!({}));
    assert_eq!(subscribe, EventsSubscribeParams::default());
    assert!(subscribe.session.is_none() && subscribe.kinds.is_empty() && subscribe.since.is_none());
    let error = refused(
        "events.subscribe",
        json!({"kinds": ["message.created", "nope"]}),
    );
    assert_eq!(error.data.field.as_deref(), Some("kinds[1]"));
}

#[test]
fn the_default_session_is_left_out_when_serializing() {
    let send: ThreadSendParams = decode(json!({"session": "default", "threadId": "t"}));
    assert_eq!(
        serde_json::to_value(&send).unwrap(),
        json!({"threadId": "t"})
    );
}
