//! Frozen JSON of the local API's methods: a representative params and result value for every
//! method. A change in any wire shape shows up here as a snapshot diff; events and errors are in
//! `rpc_snapshots_events.rs` and `rpc_snapshots_errors.rs`.
//!
//! Every sample is also decoded back into its type, so serialization and deserialization agree.

use std::collections::BTreeSet;
use std::fmt::Debug;

use cxone_chat_protocol::rpc::methods::analytics::*;
use cxone_chat_protocol::rpc::methods::customer::*;
use cxone_chat_protocol::rpc::methods::events::*;
use cxone_chat_protocol::rpc::methods::lifecycle::*;
use cxone_chat_protocol::rpc::methods::meta::*;
use cxone_chat_protocol::rpc::methods::session::*;
use cxone_chat_protocol::rpc::methods::thread::*;
use cxone_chat_protocol::rpc::methods::threads::*;
use cxone_chat_protocol::rpc::methods::{
    ALL_METHODS, Empty, Method, NoParams, SessionParams, decode_params,
};
use cxone_chat_protocol::rpc::notifications::*;
use cxone_chat_protocol::rpc::types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const EPOCH: &str = "0192f1e4-7c3a-7d2e-9b1a-3f4e5d6c7b8a";
const THREAD: &str = "3118d0df-99aa-49e9-a115-c5b98736dee7";
const MESSAGE: &str = "2fc774f7-3fc0-4619-b097-8df52e7d8295";

fn snapshot(name: &str, value: &impl Serialize) {
    // Sorted keys keep the snapshots stable even if serde_json's `preserve_order` is switched on
    // by another crate of the workspace.
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

/// One method's sample call: its params go through `decode_params`, like the daemon's.
fn case<M: Method>(params: M::Params, result: M::Result) -> (&'static str, Value)
where
    M::Params: PartialEq + Debug,
    M::Result: PartialEq + Debug,
{
    let params_json = serde_json::to_value(&params).unwrap();
    let decoded: M::Params = decode_params(params_json.as_object().cloned()).unwrap();
    assert_eq!(decoded, params, "{}", M::NAME);
    (
        M::NAME,
        json!({ "params": params_json, "result": round_trip(&result) }),
    )
}

fn session(name: &str) -> SessionName {
    SessionName::new(name).unwrap()
}

fn agent() -> Agent {
    Agent {
        id: 12328,
        first_name: "Tyler".into(),
        last_name: "Hendrickson".into(),
        nickname: None,
        image_url: Some("https://example.invalid/agents/12328.png".into()),
        is_bot: false,
    }
}

fn message(content: MessageContent, text: &str) -> Message {
    Message {
        id: MESSAGE.into(),
        thread_id: THREAD.into(),
        direction: MessageDirection::Outbound,
        status: MessageStatus::Delivered,
        created_at: "2024-05-06T20:45:53.654Z".into(),
        author: Some(Author::Agent(agent())),
        text: text.into(),
        postback: None,
        attachments: Vec::new(),
        content,
        raw_content: None,
    }
}

fn sent_message() -> Message {
    Message {
        direction: MessageDirection::Inbound,
        status: MessageStatus::Sent,
        author: Some(Author::Customer(CustomerAuthor {
            id: Some("c0ffee00-1b2c-4d5e-8f90-123456789abc".into()),
            first_name: Some("John".into()),
            last_name: Some("Doe".into()),
        })),
        postback: Some("{\"order\":42}".into()),
        attachments: vec![Attachment {
            url: "https://example.invalid/chat/attachments/6477/c98738d0.jpeg".into(),
            file_name: "photo.jpg".into(),
            mime_type: "image/jpeg".into(),
        }],
        ..message(MessageContent::Text, "Where is my order?")
    }
}

fn custom_field(ident: &str, value: &str) -> CustomField {
    CustomField {
        ident: ident.into(),
        value: value.into(),
        updated_at: Some("2024-05-06T20:45:53Z".into()),
    }
}

fn thread() -> Thread {
    Thread {
        id: THREAD.into(),
        name: Some("My order".into()),
        state: ThreadState::Ready,
        created_at: Some("2022-12-12T14:41:17+00:00".into()),
        updated_at: Some("2022-12-12T14:41:45+00:00".into()),
        unread_count: 1,
        last_message: Some(Box::new(message(
            MessageContent::Text,
            "Hello, how can I help?",
        ))),
        agent: Some(agent()),
        queue_position: None,
        contact: Some(Contact {
            id: "6098076".into(),
            status: ContactStatus::Open,
        }),
        custom_fields: vec![custom_field("department", "sales")],
        inactivity_popup: None,
    }
}

fn snapshot_of_thread() -> ThreadSnapshot {
    ThreadSnapshot {
        thread: thread(),
        messages: vec![sent_message(), message(MessageContent::Text, "On its way.")],
        has_more_messages: true,
    }
}

fn session_state() -> SessionState {
    SessionState {
        session: SessionName::default(),
        state: ChatState::Ready,
        mode: Some(ChatMode::Livechat),
        connection: ConnectionState::Connected,
        channel: Some(ChannelInfo {
            brand_id: 1386,
            channel_id: "chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4".into(),
            authentication: AuthenticationKind::Anonymous,
            attachments: AttachmentPolicy {
                enabled: true,
                max_size_bytes: 40 * 1024 * 1024,
                allowed_mime_types: vec!["image/*".into(), "application/pdf".into()],
            },
            transcript_allowed: true,
            has_pre_chat_survey: false,
            offline_form: true,
            live_chat_available: Some(true),
        }),
        visitor_id: "6f1b2c3d-0000-4000-8000-000000000001".into(),
    }
}

fn customer() -> Customer {
    Customer {
        id: Some("c0ffee00-1b2c-4d5e-8f90-123456789abc".into()),
        first_name: Some("John".into()),
        last_name: Some("Doe".into()),
        authorized: false,
        custom_fields: vec![custom_field("age", "24")],
    }
}

fn fields(pairs: &[(&str, &str)]) -> CustomFieldValues {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn survey() -> PreChatSurvey {
    PreChatSurvey {
        name: "Precontact Survey form".into(),
        fields: vec![
            SurveyField::Email(SurveyTextField {
                ident: "email".into(),
                label: "E-mail".into(),
                required: true,
            }),
            SurveyField::Text(SurveyTextField {
                ident: "age".into(),
                label: "Age".into(),
                required: false,
            }),
            SurveyField::List(SurveyChoiceField {
                ident: "gender".into(),
                label: "Gender".into(),
                required: false,
                options: vec![
                    SurveyOption {
                        id: "gender-male".into(),
                        label: "Male".into(),
                    },
                    SurveyOption {
                        id: "gender-female".into(),
                        label: "Female".into(),
                    },
                ],
            }),
            SurveyField::Tree(SurveyTreeField {
                ident: "device".into(),
                label: "Device".into(),
                required: true,
                nodes: vec![SurveyNode {
                    id: "n1".into(),
                    label: "Mobile".into(),
                    children: vec![SurveyNode {
                        id: "n2".into(),
                        label: "iPhone".into(),
                        children: vec![],
                    }],
                }],
            }),
        ],
    }
}

fn event(seq: u64, session: Option<&str>, payload: impl Into<EventPayload>) -> Event {
    Event {
        epoch: EPOCH.into(),
        seq,
        session: session.map(|s| SessionName::new(s).unwrap()),
        payload: payload.into(),
    }
}

fn method_cases() -> Vec<(&'static str, Value)> {
    let on = |name: &str| SessionParams {
        session: session(name),
    };
    vec![
        case::<RpcDiscover>(
            NoParams {},
            OpenRpcDocument(
                json!({"openrpc": "1.4.0", "info": {"title": "cxone-chatd", "version": "…"}, "methods": []}),
            ),
        ),
        case::<DaemonInfo>(
            NoParams {},
            DaemonInfoResult {
                name: "cxone-chatd".into(),
                version: "0.1.0".into(),
                protocol_version: "0.1.0".into(),
                capabilities: vec![
                    "batch".into(),
                    "events.poll".into(),
                    "attachments.path".into(),
                ],
                limits: Limits {
                    max_line_length: 4 << 20,
                    max_batch_length: 100,
                    event_buffer_size: 1000,
                    max_poll_timeout_ms: 60_000,
                },
            },
        ),
        case::<DaemonStatus>(
            NoParams {},
            DaemonStatusResult {
                ready: true,
                state: DaemonState::Ready,
                uptime_ms: 3_600_000,
                sessions: vec![SessionStatus {
                    session: SessionName::default(),
                    state: ChatState::Ready,
                    mode: Some(ChatMode::Multithread),
                    connection: ConnectionState::Connected,
                    brand_id: Some(1386),
                    channel_id: Some("chat_multi".into()),
                    threads: 3,
                    pending_requests: 0,
                    queued_events: 0,
                    last_error: None,
                }],
                clients: vec![ClientStatus {
                    id: 7,
                    pid: Some(4242),
                    uid: Some(1000),
                    subscriptions: 1,
                    pending_requests: 0,
                    queued_messages: 2,
                }],
                events: EventStreamStatus {
                    epoch: EPOCH.into(),
                    seq: 1042,
                    buffered: 1000,
                    capacity: 1000,
                },
            },
        ),
        case::<DaemonSetLogLevel>(
            DaemonSetLogLevelParams {
                level: LogLevel::Debug,
                target: Some("cxone_chatd::gateway".into()),
            },
            DaemonSetLogLevelResult {
                filter: "info,cxone_chatd::gateway=debug".into(),
            },
        ),
        case::<EventsSubscribe>(
            EventsSubscribeParams {
                session: Some(SessionName::default()),
                since: Some(EventCursor {
                    epoch: EPOCH.into(),
                    seq: 41,
                }),
                kinds: vec![EventKind::MessageCreated, EventKind::MessageUpdated],
            },
            EventsSubscribeResult {
                subscription: SubscriptionId(1),
                epoch: EPOCH.into(),
                seq: 57,
            },
        ),
        case::<EventsUnsubscribe>(
            EventsUnsubscribeParams {
                subscription: SubscriptionId(1),
            },
            EventsUnsubscribeResult { unsubscribed: true },
        ),
        case::<EventsPoll>(
            EventsPollParams {
                since: Some(EventCursor {
                    epoch: EPOCH.into(),
                    seq: 41,
                }),
                timeout_ms: 30_000,
                limit: Some(100),
                session: None,
                kinds: vec![],
            },
            EventsPollResult {
                events: vec![event(
                    42,
                    Some("default"),
                    AgentTyping {
                        thread_id: THREAD.into(),
                        is_typing: true,
                        agent: Some(agent()),
                    },
                )],
                next: EventCursor {
                    epoch: EPOCH.into(),
                    seq: 42,
                },
            },
        ),
        case::<SessionPrepare>(
            SessionPrepareParams {
                session: SessionName::default(),
                environment: Some(Environment::Named(EnvironmentName::EU1)),
                brand_id: 1386,
                channel_id: "chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4".into(),
                customer: Some(CustomerIdentity {
                    id: None,
                    first_name: Some("John".into()),
                    last_name: Some("Doe".into()),
                }),
            },
            SessionState {
                state: ChatState::Prepared,
                connection: ConnectionState::Disconnected,
                ..session_state()
            },
        ),
        case::<SessionConnect>(
            on("kiosk-1"),
            SessionState {
                session: session("kiosk-1"),
                ..session_state()
            },
        ),
        case::<SessionDisconnect>(
            SessionParams::default(),
            SessionState {
                state: ChatState::Prepared,
                connection: ConnectionState::Disconnected,
                ..session_state()
            },
        ),
        case::<SessionGetState>(SessionParams::default(), session_state()),
        case::<SessionClose>(
            SessionCloseParams {
                session: session("kiosk-1"),
                forget: true,
            },
            Empty {},
        ),
        case::<SessionExecuteTrigger>(
            SessionExecuteTriggerParams {
                session: SessionName::default(),
                trigger_id: "1a2b3c4d-0000-4000-8000-000000000001".into(),
            },
            Empty {},
        ),
        case::<SessionAvailability>(SessionParams::default(), Availability { online: false }),
        case::<SessionSendOfflineMessage>(
            SessionSendOfflineMessageParams {
                session: SessionName::default(),
                name: "John Doe".into(),
                email: "john@example.invalid".into(),
                message: "Please call me back.".into(),
            },
            Empty {},
        ),
        case::<AppForeground>(SessionParams::default(), session_state()),
        case::<AppBackground>(
            AppBackgroundParams {
                session: SessionName::default(),
                disconnect: Some(true),
            },
            SessionState {
                connection: ConnectionState::Disconnected,
                state: ChatState::Prepared,
                ..session_state()
            },
        ),
        case::<CustomerGet>(SessionParams::default(), customer()),
        case::<CustomerSet>(
            CustomerSetParams {
                session: SessionName::default(),
                id: None,
                first_name: Some("John".into()),
                last_name: Some("Doe".into()),
            },
            customer(),
        ),
        case::<CustomerSetDeviceToken>(
            CustomerSetDeviceTokenParams {
                session: SessionName::default(),
                device_token: "5a1c0e9f".into(),
            },
            Empty {},
        ),
        case::<CustomerAuthorize>(
            CustomerAuthorizeParams {
                session: SessionName::default(),
                authorization_code: "Atza|IwEB-code".into(),
                code_verifier: Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()),
            },
            Empty {},
        ),
        case::<CustomerSetCustomFields>(
            CustomerSetCustomFieldsParams {
                session: SessionName::default(),
                custom_fields: fields(&[("age", "24")]),
            },
            CustomFieldsResult {
                custom_fields: vec![custom_field("age", "24")],
            },
        ),
        case::<AnalyticsPageView>(
            AnalyticsPageParams {
                session: SessionName::default(),
                title: "Basket".into(),
                url: "app://basket".into(),
            },
            Empty {},
        ),
        case::<AnalyticsPageViewEnded>(
            AnalyticsPageParams {
                session: SessionName::default(),
                title: "Basket".into(),
                url: "app://basket".into(),
            },
            Empty {},
        ),
        case::<AnalyticsChatWindowOpen>(SessionParams::default(), Empty {}),
        case::<AnalyticsConversion>(
            AnalyticsConversionParams {
                session: SessionName::default(),
                conversion_type: "purchase".into(),
                conversion_value: 49.9,
                time: Some("2024-05-06T20:45:53.654Z".into()),
            },
            Empty {},
        ),
        case::<AnalyticsProactiveAction>(
            AnalyticsProactiveActionParams {
                session: SessionName::default(),
                action_id: "e5b9e6fd-f874-42ee-a790-dabb8f34206f".into(),
                action_name: "Offer".into(),
                action_type: ProactiveActionType::WelcomeMessage,
                outcome: ProactiveActionOutcome::Displayed,
            },
            Empty {},
        ),
        case::<AnalyticsCustomVisitorEvent>(
            AnalyticsCustomVisitorEventParams {
                session: SessionName::default(),
                data: json!({"basket": 3}),
            },
            Empty {},
        ),
        case::<ThreadsList>(
            SessionParams::default(),
            ThreadsListResult {
                threads: vec![thread()],
            },
        ),
        case::<ThreadsCreate>(
            ThreadsCreateParams {
                session: SessionName::default(),
                name: Some("My order".into()),
                custom_fields: fields(&[
                    ("email", "john@example.invalid"),
                    ("gender", "gender-male"),
                ]),
            },
            Thread {
                state: ThreadState::Pending,
                created_at: None,
                updated_at: None,
                unread_count: 0,
                agent: None,
                contact: None,
                ..thread()
            },
        ),
        case::<ThreadsLoad>(
            ThreadsLoadParams {
                session: SessionName::default(),
                thread_id: None,
            },
            Some(snapshot_of_thread()),
        ),
        case::<ThreadsGet>(
            ThreadsGetParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
            },
            snapshot_of_thread(),
        ),
        case::<ThreadsPreChatSurvey>(SessionParams::default(), Some(survey())),
        case::<ThreadSend>(
            ThreadSendParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
                text: Some("Where is my order?".into()),
                postback: None,
                attachments: vec![
                    AttachmentInput::Path {
                        path: "/run/user/1000/cxone-chatd/shared/photo.jpg".into(),
                        file_name: None,
                        mime_type: None,
                    },
                    AttachmentInput::Inline {
                        data: "aGVsbG8=".into(),
                        file_name: "hello.txt".into(),
                        mime_type: "text/plain".into(),
                    },
                ],
                client_message_id: Some(MESSAGE.into()),
            },
            sent_message(),
        ),
        case::<ThreadLoadMore>(
            ThreadParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
            },
            ThreadLoadMoreResult {
                messages: vec![sent_message()],
                has_more_messages: false,
            },
        ),
        case::<ThreadRename>(
            ThreadRenameParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
                name: "Order 42".into(),
            },
            Thread {
                name: Some("Order 42".into()),
                ..thread()
            },
        ),
        case::<ThreadArchive>(
            ThreadParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
            },
            Thread {
                state: ThreadState::Closed,
                ..thread()
            },
        ),
        case::<ThreadMarkRead>(
            ThreadParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
            },
            Empty {},
        ),
        case::<ThreadTyping>(
            ThreadTypingParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
                is_typing: true,
                preview: Some("Where is my par".into()),
            },
            Empty {},
        ),
        case::<ThreadEndContact>(
            ThreadParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
            },
            Empty {},
        ),
        case::<ThreadSendTranscript>(
            ThreadSendTranscriptParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
                email: "john@example.invalid".into(),
            },
            Empty {},
        ),
        case::<ThreadSetCustomFields>(
            ThreadSetCustomFieldsParams {
                session: SessionName::default(),
                thread_id: THREAD.into(),
                custom_fields: fields(&[("department", "sales")]),
            },
            CustomFieldsResult {
                custom_fields: vec![custom_field("department", "sales")],
            },
        ),
    ]
}

#[test]
fn every_method_params_and_result() {
    let cases = method_cases();
    let covered: BTreeSet<_> = cases.iter().map(|(name, _)| *name).collect();
    let all: BTreeSet<_> = ALL_METHODS.iter().map(|m| m.name).collect();
    assert_eq!(covered, all, "every method needs a sample");
    for (name, value) in cases {
        snapshot(&format!("method@{name}"), &value);
    }
}
