//! A typed definition of every method of the local API, and [`ALL_METHODS`], the list that the
//! OpenRPC document and the tests are built from.
//!
//! Each method is a marker type implementing [`Method`] (the `lsp_types::Request` pattern): the
//! daemon's dispatcher routes on [`Method::NAME`], decodes [`Method::Params`] with
//! [`decode_params`] and answers with [`Method::Result`].
//!
//! Conventions of every method:
//!
//! * Parameters are by name. Unknown parameters are refused with −32602 naming them, so a typo
//!   never silently does something else.
//! * Every method that acts on a chat takes an optional `session` (default `"default"`).
//! * −32602 (`invalidParams`) means the JSON does not fit the schema; 3008 (`invalidParameter`)
//!   means it fits but the value is unacceptable (an unknown file, a malformed e-mail address).
//! * Results are objects (or `null` where documented) that may gain members; clients should
//!   ignore members they do not know.

pub mod analytics;
pub mod customer;
pub mod events;
pub mod lifecycle;
pub mod meta;
pub mod session;
pub mod thread;
pub mod threads;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::envelope::Params;
use super::errors::{ErrorCode, ErrorObject};
use super::types::SessionName;

/// One method of the local API.
pub trait Method {
    /// The JSON-RPC method name, e.g. `thread.send`.
    const NAME: &'static str;
    /// One sentence saying what the method does.
    const SUMMARY: &'static str;
    /// Further explanation (may be empty).
    const DESCRIPTION: &'static str;
    /// The method group, which is also its OpenRPC tag (e.g. `thread`).
    const GROUP: &'static str;
    /// The product errors the method can answer with, besides the protocol and server errors
    /// (−32700 … −32603, −32001 … −32003) that any call can get.
    const ERRORS: &'static [ErrorCode];
    /// The params object.
    type Params: Serialize + DeserializeOwned + JsonSchema;
    /// The result.
    type Result: Serialize + DeserializeOwned + JsonSchema;
}

/// A method's description, without its types: what [`ALL_METHODS`] lists.
#[derive(Clone, Copy, Debug)]
pub struct MethodInfo {
    /// [`Method::NAME`].
    pub name: &'static str,
    /// [`Method::SUMMARY`].
    pub summary: &'static str,
    /// [`Method::DESCRIPTION`].
    pub description: &'static str,
    /// [`Method::GROUP`].
    pub group: &'static str,
    /// [`Method::ERRORS`].
    pub errors: &'static [ErrorCode],
    params_schema: fn(&mut SchemaGenerator) -> Schema,
    result_schema: fn(&mut SchemaGenerator) -> Schema,
    check_params: fn(Option<Params>) -> Result<(), ErrorObject>,
}

impl MethodInfo {
    /// The description of `M`.
    pub const fn of<M: Method>() -> Self {
        MethodInfo {
            name: M::NAME,
            summary: M::SUMMARY,
            description: M::DESCRIPTION,
            group: M::GROUP,
            errors: M::ERRORS,
            params_schema: params_schema::<M>,
            result_schema: result_schema::<M>,
            check_params: check_params::<M>,
        }
    }

    /// Decodes `params` as the method would and drops the value: lets a layer that does not know
    /// the method's types (a generic validator, the tests) check a call.
    pub fn check_params(&self, params: Option<Params>) -> Result<(), ErrorObject> {
        (self.check_params)(params)
    }

    /// The schema of the params object, inline (an object schema whose properties are the
    /// parameters); types it uses are added to the generator's definitions.
    pub fn params_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        (self.params_schema)(generator)
    }

    /// The schema of the result; a reference when the result is a named type.
    pub fn result_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        (self.result_schema)(generator)
    }
}

fn params_schema<M: Method>(generator: &mut SchemaGenerator) -> Schema {
    <M::Params as JsonSchema>::json_schema(generator)
}

fn result_schema<M: Method>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<M::Result>()
}

fn check_params<M: Method>(params: Option<Params>) -> Result<(), ErrorObject> {
    decode_params::<M::Params>(params).map(drop)
}

/// Every method of the local API, grouped as in the product documentation.
pub const ALL_METHODS: &[MethodInfo] = &[
    MethodInfo::of::<meta::RpcDiscover>(),
    MethodInfo::of::<meta::DaemonInfo>(),
    MethodInfo::of::<meta::DaemonStatus>(),
    MethodInfo::of::<meta::DaemonSetLogLevel>(),
    MethodInfo::of::<events::EventsSubscribe>(),
    MethodInfo::of::<events::EventsUnsubscribe>(),
    MethodInfo::of::<events::EventsPoll>(),
    MethodInfo::of::<session::SessionPrepare>(),
    MethodInfo::of::<session::SessionConnect>(),
    MethodInfo::of::<session::SessionDisconnect>(),
    MethodInfo::of::<session::SessionGetState>(),
    MethodInfo::of::<session::SessionClose>(),
    MethodInfo::of::<session::SessionExecuteTrigger>(),
    MethodInfo::of::<session::SessionAvailability>(),
    MethodInfo::of::<session::SessionSendOfflineMessage>(),
    MethodInfo::of::<lifecycle::AppForeground>(),
    MethodInfo::of::<lifecycle::AppBackground>(),
    MethodInfo::of::<customer::CustomerGet>(),
    MethodInfo::of::<customer::CustomerSet>(),
    MethodInfo::of::<customer::CustomerSetDeviceToken>(),
    MethodInfo::of::<customer::CustomerAuthorize>(),
    MethodInfo::of::<customer::CustomerSetCustomFields>(),
    MethodInfo::of::<analytics::AnalyticsPageView>(),
    MethodInfo::of::<analytics::AnalyticsPageViewEnded>(),
    MethodInfo::of::<analytics::AnalyticsChatWindowOpen>(),
    MethodInfo::of::<analytics::AnalyticsConversion>(),
    MethodInfo::of::<analytics::AnalyticsProactiveAction>(),
    MethodInfo::of::<analytics::AnalyticsCustomVisitorEvent>(),
    MethodInfo::of::<threads::ThreadsList>(),
    MethodInfo::of::<threads::ThreadsCreate>(),
    MethodInfo::of::<threads::ThreadsLoad>(),
    MethodInfo::of::<threads::ThreadsGet>(),
    MethodInfo::of::<threads::ThreadsPreChatSurvey>(),
    MethodInfo::of::<thread::ThreadSend>(),
    MethodInfo::of::<thread::ThreadLoadMore>(),
    MethodInfo::of::<thread::ThreadRename>(),
    MethodInfo::of::<thread::ThreadArchive>(),
    MethodInfo::of::<thread::ThreadMarkRead>(),
    MethodInfo::of::<thread::ThreadTyping>(),
    MethodInfo::of::<thread::ThreadEndContact>(),
    MethodInfo::of::<thread::ThreadSendTranscript>(),
    MethodInfo::of::<thread::ThreadSetCustomFields>(),
];

/// The description of the method called `name`, if there is one.
pub fn find_method(name: &str) -> Option<&'static MethodInfo> {
    ALL_METHODS.iter().find(|m| m.name == name)
}

/// Decodes a call's params (absent params read as `{}`) into `P`.
///
/// Failures are −32602 with `data.field` naming the parameter at fault as a path
/// (`threadId`, `attachments[0].mimeType`) and `data.detail` saying what is wrong.
pub fn decode_params<P: DeserializeOwned>(params: Option<Params>) -> Result<P, ErrorObject> {
    let value = Value::Object(params.unwrap_or_default());
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let detail = e.into_inner().to_string();
        let mut error = ErrorObject::new(ErrorCode::InvalidParams).with_detail(&detail);
        if let Some(field) = faulty_field(&path, &detail) {
            error = error.with_field(field);
        }
        error
    })
}

/// The path of the parameter at fault. serde reports a missing field at its parent object and
/// names it only in the message, so the name is taken from there.
fn faulty_field(path: &str, detail: &str) -> Option<String> {
    let parent = (path != ".").then_some(path);
    let missing = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (parent, missing) {
        (Some(parent), Some(name)) => Some(format!("{parent}.{name}")),
        (None, Some(name)) => Some(name.to_owned()),
        (Some(parent), None) => Some(parent.to_owned()),
        (None, None) => None,
    }
}

/// The params of methods that take none. `{}` or no params at all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// The params of methods that take only the session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionParams {
    /// The session to act on; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
}

/// The result of methods that have nothing to return: `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Empty {}

/// Defines the marker type and [`Method`] impl of each method of a group from one table.
macro_rules! define_methods {
    (group = $group:literal; $(
        $(#[doc = $doc:literal])*
        $marker:ident = $name:literal {
            summary: $summary:literal,
            params: $params:ty,
            result: $result:ty,
            errors: [$($error:ident),* $(,)?] $(,)?
        }
    )+) => {$(
        #[doc = concat!("`", $name, "`: ", $summary)]
        #[doc = ""]
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $marker;

        impl $crate::rpc::methods::Method for $marker {
            const NAME: &'static str = $name;
            const SUMMARY: &'static str = $summary;
            const DESCRIPTION: &'static str = concat!($($doc, "\n",)*);
            const GROUP: &'static str = $group;
            const ERRORS: &'static [$crate::rpc::errors::ErrorCode] =
                &[$($crate::rpc::errors::ErrorCode::$error),*];
            type Params = $params;
            type Result = $result;
        }
    )+};
}
use define_methods;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;

    #[test]
    fn names_are_unique_and_grouped_by_prefix() {
        let names: HashSet<_> = ALL_METHODS.iter().map(|m| m.name).collect();
        assert_eq!(names.len(), ALL_METHODS.len());
        for m in ALL_METHODS {
            let prefix = m.name.split('.').next().unwrap();
            let expected = match prefix {
                "rpc" | "daemon" => "meta",
                "app" => "lifecycle",
                other => other,
            };
            assert_eq!(m.group, expected, "{}", m.name);
            assert!(
                !m.summary.is_empty() && m.summary.ends_with('.'),
                "{}",
                m.name
            );
        }
    }

    #[test]
    fn absent_params_read_as_an_empty_object() {
        let p: SessionParams = decode_params(None).unwrap();
        assert!(p.session.is_default());
        let _: NoParams = decode_params(None).unwrap();
    }

    #[test]
    fn faulty_fields_are_named() {
        let unknown = decode_params::<SessionParams>(Some(
            json!({"sesion": "x"}).as_object().unwrap().clone(),
        ))
        .unwrap_err();
        assert_eq!(
            (unknown.code, unknown.data.field.as_deref()),
            (-32602, Some("sesion"))
        );
        assert_eq!(
            faulty_field(".", "missing field `threadId`").as_deref(),
            Some("threadId")
        );
        assert_eq!(
            faulty_field("attachments[0]", "missing field `mimeType`").as_deref(),
            Some("attachments[0].mimeType")
        );
        assert_eq!(faulty_field(".", "invalid type: map"), None);
    }
}
