//! The session's threads as a whole: list, create, load, get, pre-chat survey (`threads.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{SessionParams, define_methods};
use crate::rpc::types::{CustomFieldValues, PreChatSurvey, SessionName, Thread, ThreadSnapshot};

define_methods! {
    group = "threads";

    /// Without network traffic: the list is kept current by the daemon (`threads.updated`).
    ThreadsList = "threads.list" {
        summary: "Returns the session's threads, without their messages.",
        params: SessionParams,
        result: ThreadsListResult,
        errors: [UnknownSession, NotConnected],
    }

    /// The thread is `pending` (unknown to the back end) until its first message is sent; the
    /// welcome message, if any, is already in it. Single-thread and live-chat channels allow one
    /// open thread. Pre-chat survey answers go in `customFields`.
    ThreadsCreate = "threads.create" {
        summary: "Creates a new thread.",
        params: ThreadsCreateParams,
        result: Thread,
        errors: [UnknownSession, NotConnected, UnsupportedInMode, PreChatSurveyIncomplete, InvalidParameter],
    }

    /// Without `threadId`: the session's current thread in single-thread and live-chat channels,
    /// or `null` when the customer has none yet (which is normal; create one with
    /// `threads.create`). Loads the newest messages; `thread.loadMore` fetches older ones. A
    /// thread the back end does not know yet (created here, its first message still queued)
    /// comes back as the daemon holds it; one that neither knows is `null`.
    ThreadsLoad = "threads.load" {
        summary: "Loads a thread's history from the back end and returns it.",
        params: ThreadsLoadParams,
        result: Option<ThreadSnapshot>,
        errors: [UnknownSession, NotConnected, UnknownThread, BackendRejected, Timeout],
    }

    /// Returns the messages loaded so far without asking the back end.
    ThreadsGet = "threads.get" {
        summary: "Returns a thread with the messages the daemon holds for it.",
        params: ThreadsGetParams,
        result: ThreadSnapshot,
        errors: [UnknownSession, UnknownThread],
    }

    ThreadsPreChatSurvey = "threads.preChatSurvey" {
        summary: "Returns the channel's pre-chat survey, or null when it has none.",
        params: SessionParams,
        result: Option<PreChatSurvey>,
        errors: [UnknownSession, NotPrepared],
    }
}

/// The result of `threads.list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadsListResult {
    /// The threads, newest activity first; archived ones included (state `closed`).
    pub threads: Vec<Thread>,
}

/// The params of `threads.create`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadsCreateParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread's name (multi-thread channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Contact custom fields, including the pre-chat survey answers, by ident.
    #[serde(default, skip_serializing_if = "CustomFieldValues::is_empty")]
    pub custom_fields: CustomFieldValues,
}

/// The params of `threads.load`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadsLoadParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread; the current one (single-thread, live chat) when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

/// The params of `threads.get`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadsGetParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
}
