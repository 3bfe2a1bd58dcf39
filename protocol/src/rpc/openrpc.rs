//! The OpenRPC 1.4 document of the local API, generated from the types of this module.
//!
//! [`document`] builds it from [`ALL_METHODS`], [`ErrorCode::ALL`] and [`EventKind::ALL`], so a
//! method, error or event kind cannot be added without appearing in it. The daemon serves it from
//! `rpc.discover`; `protocol/openrpc.json` is the same document, committed, and a test fails when
//! the two differ.
//!
//! * Schemas are JSON Schema Draft 07 (OpenRPC's meta-schema dialect), generated with schemars;
//!   shared types live under `components.schemas` and are referenced as
//!   `#/components/schemas/<Name>`.
//! * Methods take parameters by name: each top-level member of a method's params object is one
//!   content descriptor, required ones first (OpenRPC requires that order).
//! * Server-to-client notifications are not part of OpenRPC; they are described in the
//!   `x-notifications` extension: the `events.event` notification and the `data` schema of every
//!   event kind.
//! * The output is deterministic: object keys are sorted (whatever serde_json's `preserve_order`
//!   feature says), arrays follow the tables' order.

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::API_VERSION;
use super::errors::{ErrorCode, ErrorObject};
use super::methods::{ALL_METHODS, MethodInfo};
use super::notifications::{EVENTS_EVENT, Event, EventKind, EventNotification, SubscriptionId};
use super::types::SessionName;

/// The OpenRPC specification version the document follows.
pub const OPENRPC_VERSION: &str = "1.4.0";

/// Where `$ref`s to shared schemas point.
const SCHEMAS_PATH: &str = "/components/schemas";

/// The document as a JSON value (object keys sorted), as `rpc.discover` returns it.
pub fn document() -> Value {
    serde_json::to_value(build()).expect("the OpenRPC document is plain JSON")
}

/// The document as pretty-printed JSON with a trailing newline, as committed in
/// `protocol/openrpc.json`. Top-level members come in the specification's order.
pub fn document_json() -> String {
    let mut text =
        serde_json::to_string_pretty(&build()).expect("the OpenRPC document is plain JSON");
    text.push('\n');
    text
}

const DESCRIPTION: &str = "\
The local API of cxone-chatd, a headless daemon that brings NICE CXone digital chat to desktops, \
kiosks and terminals.

**Transport.** A local stream socket; one JSON-RPC 2.0 message (or batch) per line, UTF-8, \
terminated by `\\n` (NDJSON). Lines have a maximum length (`daemon.info` → `limits`); an over-long \
line is answered with `-32600` and `data.reason = \"line too long\"`, and the connection stays \
usable. Batches are supported up to `limits.maxBatchLength` items. Responses may come in any \
order: match them by `id`.

**Parameters** are by name only (an object); unknown parameters are refused with `-32602` \
naming them in `error.data.field`. Every method acting on a chat takes an optional `session` \
(default `\"default\"`); one daemon can hold several independent sessions.

**Errors.** `error.data` is always an object with `kind` (a stable name) and `retryable`. Besides \
the errors listed per method, any call can get `-32700`, `-32600`, `-32601`, `-32602`, `-32603`, \
`-32001` (daemon not ready), `-32002` (peer not authorized) and `-32003` (overloaded). The full \
table is in `components.errors`.

**Events.** `events.subscribe` starts `events.event` notifications on the connection \
(`events.poll` is the long-poll alternative). Every event has an `epoch` and a `seq`; `since` \
is strictly greater: pass the `seq` of the last event you handled. The event kinds and their data \
are described in `x-notifications`.";

/// The schema of a method's result as the document publishes it (`methods[].result.schema`),
/// for a result type given by its schema function: lets a server check that the type it answers
/// with is the one the document promises.
pub fn published_result_schema(result: fn(&mut SchemaGenerator) -> Schema) -> Value {
    let mut generator = generator();
    let mut schema = result(&mut generator);
    transform(&mut generator, &mut schema);
    sorted(schema.to_value())
}

fn generator() -> SchemaGenerator {
    SchemaSettings::draft07()
        .with(|s| s.definitions_path = SCHEMAS_PATH.into())
        .with_transform(UnwrapDescriptions)
        .into_generator()
}

fn build() -> Document {
    let mut generator = generator();

    let methods = ALL_METHODS
        .iter()
        .map(|m| method_object(m, &mut generator))
        .collect();
    let notifications = vec![events_event(&mut generator)];
    // Clients meet these outside any result (every error; polled events), so they get names.
    let _ = generator.subschema_for::<ErrorObject>();
    let _ = generator.subschema_for::<Event>();
    let schemas = sorted_map(generator.take_definitions(true));
    let errors = sorted_map(
        ErrorCode::ALL
            .iter()
            .map(|c| (c.name().to_owned(), error_object(*c)))
            .collect(),
    );

    Document {
        openrpc: OPENRPC_VERSION,
        info: Info {
            title: "cxone-chatd",
            version: API_VERSION,
            description: DESCRIPTION,
            license: License { name: "Apache-2.0" },
        },
        methods,
        components: Components { schemas, errors },
        notifications,
    }
}

fn method_object(method: &MethodInfo, generator: &mut SchemaGenerator) -> MethodObject {
    let params_schema = method.params_schema(generator);
    let mut result = method.result_schema(generator);
    transform(generator, &mut result);
    MethodObject {
        name: method.name,
        summary: method.summary,
        description: trim_doc(method.description),
        tags: vec![Tag { name: method.group }],
        param_structure: "by-name",
        params: content_descriptors(params_schema, generator),
        result: ContentDescriptor {
            name: "result".into(),
            description: None,
            required: None,
            schema: sorted(result.to_value()),
        },
        errors: method.errors.iter().map(|c| error_object(*c)).collect(),
    }
}

/// One content descriptor per property of an object schema: required ones first, each group in
/// name order.
fn content_descriptors(params: Schema, generator: &mut SchemaGenerator) -> Vec<ContentDescriptor> {
    let object = params.to_value();
    let required: Vec<&str> = object["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = object["properties"].as_object() else {
        return Vec::new();
    };
    let mut descriptors: Vec<ContentDescriptor> = properties
        .iter()
        .map(|(name, schema)| {
            let mut schema = schema.clone();
            let description = schema
                .as_object_mut()
                .and_then(|s| s.remove("description"))
                .and_then(|d| d.as_str().map(unwrap_paragraphs));
            let mut schema = Schema::try_from(schema).expect("a property schema is a schema");
            transform(generator, &mut schema);
            ContentDescriptor {
                name: name.clone(),
                description,
                required: Some(required.contains(&name.as_str())),
                schema: sorted(schema.to_value()),
            }
        })
        .collect();
    // Stable: keeps name order within each group.
    descriptors.sort_by_key(|d| d.required != Some(true));
    descriptors
}

/// The `events.event` notification: its params, and the data schema of every event kind.
fn events_event(generator: &mut SchemaGenerator) -> NotificationObject {
    let schema = generator.subschema_for::<EventNotification>();
    let field = |name: &str, description: &str, schema: Schema| ContentDescriptor {
        name: name.into(),
        description: Some(description.into()),
        required: Some(true),
        schema: sorted(schema.to_value()),
    };
    let params = vec![
        field(
            "subscription",
            "The subscription that asked for the event.",
            generator.subschema_for::<SubscriptionId>(),
        ),
        field(
            "epoch",
            "The daemon run (UUID v7) the event belongs to.",
            generator.subschema_for::<String>(),
        ),
        field(
            "seq",
            "The event's position in the stream; strictly increasing within an epoch.",
            generator.subschema_for::<u64>(),
        ),
        field(
            "session",
            "The session the event concerns; null for daemon-wide events.",
            generator.subschema_for::<Option<SessionName>>(),
        ),
        field(
            "kind",
            "The event kind; see `kinds` for each kind's data.",
            generator.subschema_for::<EventKind>(),
        ),
        field(
            "data",
            "The kind's data; always an object.",
            json_schema!({"type": "object"}),
        ),
    ];
    let kinds = EventKind::ALL
        .iter()
        .map(|kind| {
            let mut data = kind.data_schema(generator);
            transform(generator, &mut data);
            EventKindObject {
                kind: kind.name(),
                summary: kind.summary(),
                data: sorted(data.to_value()),
            }
        })
        .collect();
    NotificationObject {
        name: EVENTS_EVENT,
        summary: "An event pushed to a subscriber of events.subscribe (never answered).",
        param_structure: "by-name",
        params,
        schema: sorted(schema.to_value()),
        kinds,
    }
}

fn error_object(code: ErrorCode) -> Value {
    let error = ErrorObject::new(code);
    sorted(json!({ "code": error.code, "message": error.message, "data": error.data }))
}

/// Applies the generator's Draft 07 transforms, which schemars only applies to definitions and
/// root schemas by itself.
fn transform(generator: &mut SchemaGenerator, schema: &mut Schema) {
    for t in generator.transforms_mut() {
        t.transform(schema);
    }
}

/// The value with every object's keys in sorted order, whichever map serde_json was built with.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn sorted_map(map: Map<String, Value>) -> Map<String, Value> {
    match sorted(Value::Object(map)) {
        Value::Object(map) => map,
        _ => unreachable!("sorting keeps an object an object"),
    }
}

/// Doc comments arrive as `#[doc]` lines with their leading space.
fn trim_doc(doc: &str) -> Option<String> {
    let text = unwrap_paragraphs(doc);
    (!text.is_empty()).then_some(text)
}

/// Joins the lines of each paragraph: doc comments are wrapped for source files, which means
/// nothing to a reader of the document.
fn unwrap_paragraphs(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Applies [`unwrap_paragraphs`] to every `description` of a schema.
#[derive(Clone, Debug)]
struct UnwrapDescriptions;

impl Transform for UnwrapDescriptions {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(Value::String(d)) = schema
            .as_object_mut()
            .and_then(|o| o.get_mut("description"))
        {
            *d = unwrap_paragraphs(d);
        }
        transform_subschemas(self, schema);
    }
}

#[derive(Serialize)]
struct Document {
    openrpc: &'static str,
    info: Info,
    methods: Vec<MethodObject>,
    components: Components,
    #[serde(rename = "x-notifications")]
    notifications: Vec<NotificationObject>,
}

#[derive(Serialize)]
struct Info {
    title: &'static str,
    version: &'static str,
    description: &'static str,
    license: License,
}

#[derive(Serialize)]
struct License {
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MethodObject {
    name: &'static str,
    summary: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    tags: Vec<Tag>,
    param_structure: &'static str,
    params: Vec<ContentDescriptor>,
    result: ContentDescriptor,
    errors: Vec<Value>,
}

#[derive(Serialize)]
struct Tag {
    name: &'static str,
}

#[derive(Serialize)]
struct ContentDescriptor {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required: Option<bool>,
    schema: Value,
}

#[derive(Serialize)]
struct Components {
    schemas: Map<String, Value>,
    errors: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationObject {
    name: &'static str,
    summary: &'static str,
    param_structure: &'static str,
    params: Vec<ContentDescriptor>,
    /// The whole params object, for validators.
    schema: Value,
    kinds: Vec<EventKindObject>,
}

#[derive(Serialize)]
struct EventKindObject {
    kind: &'static str,
    summary: &'static str,
    data: Value,
}
