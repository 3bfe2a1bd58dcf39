//! The OpenRPC document: the committed `protocol/openrpc.json` is what the types generate, and it
//! describes every method, error and event kind of the product contract.
//!
//! When the API changes on purpose, regenerate the file with
//! `UPDATE_OPENRPC=1 cargo test -p cxone-chat-protocol --test rpc_openrpc` and commit it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use cxone_chat_protocol::rpc::openrpc::{self, OPENRPC_VERSION};
use cxone_chat_protocol::rpc::{ALL_EVENT_KINDS, ALL_METHODS, API_VERSION, ErrorCode};
use serde_json::Value;

/// The method names of PRODUCT.md §3, which tests, clients and documentation rely on.
const PRODUCT_METHODS: &[&str] = &[
    "rpc.discover",
    "daemon.info",
    "daemon.status",
    "daemon.setLogLevel",
    "events.subscribe",
    "events.unsubscribe",
    "events.poll",
    "session.prepare",
    "session.connect",
    "session.disconnect",
    "session.state",
    "session.close",
    "session.executeTrigger",
    "app.foreground",
    "app.background",
    "customer.get",
    "customer.set",
    "customer.setDeviceToken",
    "customer.authorize",
    "customer.setCustomFields",
    "analytics.pageView",
    "analytics.pageViewEnded",
    "analytics.chatWindowOpen",
    "analytics.conversion",
    "analytics.proactiveAction",
    "threads.list",
    "threads.create",
    "threads.load",
    "threads.get",
    "threads.preChatSurvey",
    "thread.send",
    "thread.loadMore",
    "thread.rename",
    "thread.archive",
    "thread.markRead",
    "thread.typing",
    "thread.endContact",
    "thread.sendTranscript",
    "thread.setCustomFields",
];

/// Methods beyond PRODUCT.md §3: capabilities of the official SDKs that the contract's list has
/// no name for (issue #11 item 13). Each says so in its description and has its row in
/// `docs/parity.md`; the contract's own names are untouched.
const EXTENSION_METHODS: &[&str] = &[
    "session.availability",
    "session.sendOfflineMessage",
    "analytics.customVisitorEvent",
];

/// The notification kinds of PRODUCT.md §3.
const PRODUCT_EVENT_KINDS: &[&str] = &[
    "chat.stateChanged",
    "connection.lost",
    "connection.restored",
    "thread.updated",
    "threads.updated",
    "message.created",
    "message.updated",
    "agent.typing",
    "agent.assigned",
    "queue.position",
    "contact.status",
    "proactive.action",
    "custom.event",
    "customFields.set",
    "token.refreshFailed",
    "error",
    "events.lagged",
    "events.resyncRequired",
    "daemon.shutdown",
];

/// Method groups whose methods act on a chat and so take an optional `session`.
const CHAT_GROUPS: &[&str] = &[
    "session",
    "lifecycle",
    "customer",
    "analytics",
    "threads",
    "thread",
];

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openrpc.json")
}

fn doc() -> Value {
    openrpc::document()
}

#[test]
fn committed_document_is_current() {
    let generated = openrpc::document_json();
    let path = committed_path();
    // Like insta, never rewrite files on CI: there a stale document must fail.
    if std::env::var_os("UPDATE_OPENRPC").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(&path, &generated).expect("write protocol/openrpc.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "protocol/openrpc.json does not match the API's types (first difference at line {}).\n\
             If the change is intended, regenerate it with\n\
             \n    UPDATE_OPENRPC=1 cargo test -p cxone-chat-protocol --test rpc_openrpc\n\n\
             and commit the file.",
            line + 1
        );
    }
}

#[test]
fn the_value_and_the_text_are_the_same_document() {
    let parsed: Value = serde_json::from_str(&openrpc::document_json()).unwrap();
    assert_eq!(parsed, doc());
    assert!(openrpc::document_json().ends_with("}\n"));
}

#[test]
fn header() {
    let doc = doc();
    assert_eq!(doc["openrpc"], OPENRPC_VERSION);
    assert_eq!(doc["info"]["title"], "cxone-chatd");
    assert_eq!(doc["info"]["version"], API_VERSION);
}

#[test]
fn all_methods_is_exactly_the_product_contract_and_the_named_extensions() {
    let ours: BTreeSet<_> = ALL_METHODS.iter().map(|m| m.name).collect();
    let product: BTreeSet<_> = PRODUCT_METHODS.iter().copied().collect();
    let extensions: BTreeSet<_> = EXTENSION_METHODS.iter().copied().collect();
    assert!(product.is_disjoint(&extensions));
    let expected: BTreeSet<_> = product.union(&extensions).copied().collect();
    assert_eq!(
        ours, expected,
        "ALL_METHODS differs from PRODUCT.md §3 and the extensions"
    );
    assert_eq!(
        ALL_METHODS.len(),
        PRODUCT_METHODS.len() + EXTENSION_METHODS.len(),
        "a method is listed twice"
    );
    let parity = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/parity.md"),
    )
    .expect("docs/parity.md");
    for m in ALL_METHODS {
        let words = m
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let says = words.contains("extension beyond PRODUCT.md §3");
        assert_eq!(
            says,
            extensions.contains(m.name),
            "{}: only the extensions say they are one",
            m.name
        );
        if says {
            assert!(
                parity.contains(&format!("`{}`", m.name)),
                "{} has no row in docs/parity.md",
                m.name
            );
        }
    }
}

#[test]
fn every_method_is_in_the_document_in_order() {
    let doc = doc();
    let methods = doc["methods"].as_array().unwrap();
    let names: Vec<_> = methods
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    let expected: Vec<_> = ALL_METHODS.iter().map(|m| m.name).collect();
    assert_eq!(names, expected);
    for (m, info) in methods.iter().zip(ALL_METHODS) {
        assert_eq!(m["summary"], info.summary);
        assert_eq!(m["paramStructure"], "by-name", "{}", info.name);
        assert_eq!(m["tags"][0]["name"], info.group);
        assert!(
            m["result"]["schema"].is_object(),
            "{} has no result schema",
            info.name
        );
    }
}

#[test]
fn params_are_one_descriptor_per_field_required_first() {
    for m in doc()["methods"].as_array().unwrap() {
        let params = m["params"].as_array().unwrap();
        let required: Vec<bool> = params
            .iter()
            .map(|p| p["required"].as_bool().unwrap())
            .collect();
        assert!(
            required.windows(2).all(|w| w[0] || !w[1]),
            "{}: OpenRPC wants required params before optional ones",
            m["name"]
        );
        let names: BTreeSet<_> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), params.len(), "{}: duplicate param", m["name"]);
        assert!(
            params.iter().all(|p| p["schema"].is_object()),
            "{}",
            m["name"]
        );
    }
}

#[test]
fn chat_methods_take_an_optional_session_defaulting_to_default() {
    let doc = doc();
    for (m, info) in doc["methods"].as_array().unwrap().iter().zip(ALL_METHODS) {
        let session = m["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "session");
        if !CHAT_GROUPS.contains(&info.group) {
            continue;
        }
        let session = session.unwrap_or_else(|| panic!("{} takes no session", info.name));
        assert_eq!(session["required"], false, "{}", info.name);
        assert_eq!(session["schema"]["default"], "default", "{}", info.name);
    }
}

#[test]
fn method_errors_have_code_and_message_and_are_unique() {
    for (m, info) in doc()["methods"].as_array().unwrap().iter().zip(ALL_METHODS) {
        let errors = m["errors"].as_array().unwrap();
        assert_eq!(errors.len(), info.errors.len());
        let codes: BTreeSet<_> = errors.iter().map(|e| e["code"].as_i64().unwrap()).collect();
        assert_eq!(
            codes.len(),
            errors.len(),
            "{}: an error is listed twice",
            info.name
        );
        for (e, code) in errors.iter().zip(info.errors) {
            assert_eq!(e["code"], code.code());
            assert_eq!(e["message"], code.message());
        }
    }
}

#[test]
fn the_whole_error_table_is_in_components() {
    let doc = doc();
    let errors = doc["components"]["errors"].as_object().unwrap();
    assert_eq!(errors.len(), ErrorCode::ALL.len());
    for code in ErrorCode::ALL {
        assert_eq!(errors[code.name()]["code"], code.code());
        assert_eq!(errors[code.name()]["data"]["retryable"], code.retryable());
    }
}

#[test]
fn every_event_kind_is_in_x_notifications() {
    let ours: BTreeSet<_> = ALL_EVENT_KINDS.iter().map(|k| k.name()).collect();
    let product: BTreeSet<_> = PRODUCT_EVENT_KINDS.iter().copied().collect();
    assert_eq!(ours, product, "EventKind differs from PRODUCT.md §3");

    let doc = doc();
    let notifications = doc["x-notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    let event = &notifications[0];
    assert_eq!(event["name"], "events.event");
    let params: Vec<_> = event["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        params,
        ["subscription", "epoch", "seq", "session", "kind", "data"]
    );
    let kinds: Vec<_> = event["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    let expected: Vec<_> = ALL_EVENT_KINDS.iter().map(|k| k.name()).collect();
    assert_eq!(kinds, expected);
    for kind in event["kinds"].as_array().unwrap() {
        let data_ref = kind["data"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{kind}: data is not a named schema"));
        assert!(data_ref.starts_with("#/components/schemas/"), "{data_ref}");
    }
}

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_into_components() {
    let doc = doc();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        if r == "https://meta.open-rpc.org/" {
            continue; // rpc.discover's result: the OpenRPC meta-schema itself.
        }
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external reference {r}"));
        assert!(pointer.starts_with("/components/schemas/"), "{r}");
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

#[test]
fn schema_names_are_not_disambiguated() {
    // schemars appends a number when two Rust types share a name; the document would then carry
    // an opaque `Thread2`. Rename one of the types instead.
    let doc = doc();
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            !name.ends_with(|c: char| c.is_ascii_digit()),
            "ambiguous schema name {name}"
        );
    }
}
