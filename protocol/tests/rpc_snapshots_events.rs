//! Frozen JSON of the events the daemon pushes: an `events.event` notification of every event
//! kind, and every kind of rich message content. Samples follow a live chat (a bot answers, the
//! customer waits in the queue), unlike the method samples, to cover other shapes of the types.
//!
//! Every sample is also decoded back into its type, so serialization and deserialization agree.

use std::collections::BTreeSet;
use std::fmt::Debug;

use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::notifications::*;
use cxone_chat_protocol::rpc::types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const EPOCH: &str = "0192f1e4-7c3a-7d2e-9b1a-3f4e5d6c7b8a";
const THREAD: &str = "09a3978d-1d24-41ac-b73f-ce76ad7c20b2";
const MESSAGE: &str = "6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d";

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

fn bot() -> Agent {
    Agent {
        id: 7,
        first_name: "Chat".into(),
        last_name: "Bot".into(),
        nickname: Some("Ava".into()),
        image_url: None,
        is_bot: true,
    }
}

fn message(content: MessageContent, text: &str) -> Message {
    Message {
        id: MESSAGE.into(),
        thread_id: THREAD.into(),
        direction: MessageDirection::Outbound,
        status: MessageStatus::Delivered,
        created_at: "2024-09-18T21:40:04.583+01:00".into(),
        author: Some(Author::Agent(bot())),
        text: text.into(),
        postback: None,
        attachments: Vec::new(),
        content,
        raw_content: None,
    }
}

fn customer_message(status: MessageStatus) -> Message {
    Message {
        direction: MessageDirection::Inbound,
        status,
        author: Some(Author::Customer(CustomerAuthor {
            id: Some("a91082b7-46f8-4d0d-af43-079994de98c6".into()),
            first_name: None,
            last_name: None,
        })),
        ..message(MessageContent::Text, "I need help with a return.")
    }
}

fn custom_field(ident: &str, value: &str) -> CustomField {
    CustomField {
        ident: ident.into(),
        value: value.into(),
        updated_at: None,
    }
}

/// A live-chat thread waiting for an agent.
fn waiting_thread() -> Thread {
    Thread {
        id: THREAD.into(),
        name: None,
        state: ThreadState::Loaded,
        created_at: Some("2024-09-18T21:39:58+01:00".into()),
        updated_at: None,
        unread_count: 0,
        last_message: None,
        agent: None,
        queue_position: Some(3),
        contact: Some(Contact {
            id: "9313975".into(),
            status: ContactStatus::New,
        }),
        custom_fields: Vec::new(),
        inactivity_popup: None,
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

#[test]
fn rich_content() {
    let button = |text: &str, postback: &str| ReplyButton {
        text: text.into(),
        postback: Some(postback.into()),
        description: None,
        icon: None,
    };
    let contents = vec![
        MessageContent::Text,
        MessageContent::QuickReplies(QuickReplies {
            text: "Which size?".into(),
            buttons: vec![button("S", "size-s"), button("M", "size-m")],
        }),
        MessageContent::ListPicker(ListPicker {
            title: "Stores".into(),
            text: "Pick a store".into(),
            buttons: vec![ReplyButton {
                description: Some("Open until 8 pm".into()),
                icon: Some(Media {
                    url: "https://example.invalid/store.png".into(),
                    file_name: Some("store.png".into()),
                    mime_type: Some("image/png".into()),
                }),
                ..button("Downtown", "store-1")
            }],
        }),
        MessageContent::RichLink(RichLink {
            title: "Track your parcel".into(),
            url: "https://example.invalid/track/42".into(),
            media: Some(Media {
                url: "https://example.invalid/parcel.jpg".into(),
                file_name: None,
                mime_type: Some("image/jpeg".into()),
            }),
        }),
        MessageContent::TimePicker(TimePicker {
            title: "Book a call".into(),
            event_title: Some("Call with support".into()),
            slots: vec![TimeSlot {
                id: "slot-1".into(),
                start_time: "2024-05-07T09:00:00Z".into(),
                duration_seconds: 1800,
            }],
        }),
        MessageContent::InactivityPopup(InactivityPopup {
            title: "Hello!".into(),
            body: vec![
                "Are you still there?".into(),
                "Do you wish to continue?".into(),
            ],
            countdown: Countdown {
                started_at: "2024-05-06T20:45:53+00:00".into(),
                seconds: 60,
            },
            continue_button: PopupButton {
                text: "Yes".into(),
                postback: "{\"isExpired\":false}".into(),
            },
            end_button: PopupButton {
                text: "No".into(),
                postback: "{\"isExpired\":true}".into(),
            },
        }),
        MessageContent::Unsupported(UnsupportedContent {
            fallback_text: "Unsupported message content".into(),
        }),
    ];
    let values: Vec<Value> = contents
        .into_iter()
        .map(|c| round_trip(&message(c, "…"))["content"].clone())
        .collect();
    snapshot("message-content", &values);
}

fn event_cases() -> Vec<Event> {
    let error = |code| ErrorObject::new(code).with_correlation_id("7f3e2a10");
    let failed = customer_message(MessageStatus::Failed);
    vec![
        event(
            1,
            Some("default"),
            ChatStateChanged {
                state: ChatState::Ready,
                previous: ChatState::Connected,
                mode: Some(ChatMode::Singlethread),
            },
        ),
        event(
            2,
            Some("default"),
            ConnectionLost {
                reason: "WebSocket closed (1006)".into(),
                reconnecting: true,
                attempt: 1,
                retry_in_ms: Some(1300),
            },
        ),
        event(
            3,
            Some("default"),
            ConnectionRestored {
                attempts: 2,
                downtime_ms: 4100,
            },
        ),
        event(
            4,
            Some("default"),
            ThreadUpdated {
                thread: waiting_thread(),
            },
        ),
        event(
            5,
            Some("default"),
            ThreadsUpdated {
                threads: vec![waiting_thread()],
            },
        ),
        event(
            6,
            Some("default"),
            MessageCreated {
                message: message(MessageContent::Text, "On its way."),
            },
        ),
        event(
            7,
            Some("default"),
            MessageUpdated {
                message: failed,
                error: Some(
                    error(ErrorCode::BackendRejected).with_backend_code("SendingMessageFailed"),
                ),
            },
        ),
        event(
            8,
            Some("default"),
            AgentTyping {
                thread_id: THREAD.into(),
                is_typing: true,
                agent: Some(bot()),
            },
        ),
        event(
            9,
            Some("default"),
            AgentAssigned {
                thread_id: THREAD.into(),
                agent: Some(bot()),
                previous_agent: None,
            },
        ),
        event(
            10,
            Some("default"),
            QueuePosition {
                thread_id: THREAD.into(),
                position: 3,
                agents_online: Some(true),
            },
        ),
        event(
            11,
            Some("default"),
            ContactStatusChanged {
                thread_id: THREAD.into(),
                contact_id: "6098076".into(),
                status: ContactStatus::Closed,
            },
        ),
        event(
            12,
            Some("default"),
            ProactiveActionFired {
                action: ProactiveAction {
                    action_id: "e5b9e6fd-f874-42ee-a790-dabb8f34206f".into(),
                    action_name: "Offer".into(),
                    action_type: ProactiveActionType::WelcomeMessage,
                    content: ProactiveContent {
                        body_text: Some("Dear John, enjoy 5% off.".into()),
                        headline_text: None,
                        headline_secondary_text: None,
                        image_url: None,
                        variables: Default::default(),
                        inactivity_popup: None,
                    },
                    custom_fields: vec![custom_field("discountValue", "5%")],
                },
            },
        ),
        event(
            13,
            Some("default"),
            CustomEvent {
                name: Some("SomethingNew".into()),
                payload: json!({"any": ["json", 1]}),
            },
        ),
        event(
            14,
            Some("default"),
            CustomFieldsSet {
                scope: CustomFieldScope::Contact,
                thread_id: Some(THREAD.into()),
                custom_fields: vec![custom_field("department", "sales")],
            },
        ),
        event(
            15,
            Some("default"),
            TokenRefreshFailed {
                error: error(ErrorCode::TokenRefreshFailed)
                    .with_backend_code("TokenRefreshingFailed"),
            },
        ),
        event(
            16,
            Some("default"),
            ErrorEvent {
                error: error(ErrorCode::BackendUnavailable)
                    .with_detail("visitor registration failed: connection refused"),
                thread_id: None,
            },
        ),
        event(
            16,
            None,
            EventsLagged {
                dropped: 250,
                unsubscribed: false,
            },
        ),
        event(
            1042,
            None,
            ResyncRequired {
                reason: ResyncReason::TooOld,
                oldest_seq: Some(43),
            },
        ),
        event(
            1043,
            None,
            DaemonShutdown {
                reason: ShutdownReason::Restart,
                grace_ms: 5000,
            },
        ),
    ]
}

#[test]
fn every_event_kind() {
    let events = event_cases();
    let covered: BTreeSet<_> = events.iter().map(|e| e.payload.kind()).collect();
    let all: BTreeSet<_> = EventKind::ALL.iter().copied().collect();
    assert_eq!(covered, all, "every event kind needs a sample");
    for event in events {
        let kind = event.payload.kind().name();
        let notification = EventNotification {
            subscription: SubscriptionId(1),
            event,
        };
        round_trip(&notification);
        snapshot(
            &format!("event@{kind}"),
            &notification.to_notification().unwrap(),
        );
    }
}

/// A live chat's inactivity popup: announced as a proactive action, and shown in the thread.
#[test]
fn an_inactivity_popup() {
    let popup = OpenInactivityPopup {
        thread_id: THREAD.into(),
        message_id: MESSAGE.into(),
        expires_at: "2024-05-06T20:46:53+00:00".into(),
        prompt: InactivityPopup {
            title: "Hello!".into(),
            body: vec![
                "Are you still there?".into(),
                "Do you wish to continue?".into(),
            ],
            countdown: Countdown {
                started_at: "2024-05-06T20:45:53+00:00".into(),
                seconds: 60,
            },
            continue_button: PopupButton {
                text: "Yes".into(),
                postback: "{\"type\":\"sessionExpiration\",\"isExpired\":false}".into(),
            },
            end_button: PopupButton {
                text: "No".into(),
                postback: "{\"type\":\"sessionExpiration\",\"isExpired\":true}".into(),
            },
        },
    };
    let fired = event(
        44,
        Some("default"),
        ProactiveActionFired {
            action: ProactiveAction {
                action_id: MESSAGE.into(),
                action_name: "Hello!".into(),
                action_type: ProactiveActionType::InactivityPopup,
                content: ProactiveContent {
                    body_text: Some("Are you still there? Do you wish to continue?".into()),
                    headline_text: Some("Hello!".into()),
                    headline_secondary_text: None,
                    image_url: None,
                    variables: Default::default(),
                    inactivity_popup: Some(popup.clone()),
                },
                custom_fields: Vec::new(),
            },
        },
    );
    let notification = EventNotification {
        subscription: SubscriptionId(1),
        event: fired,
    };
    round_trip(&notification);
    snapshot(
        "inactivity-popup-action",
        &notification.to_notification().unwrap(),
    );
    let thread = Thread {
        inactivity_popup: Some(popup),
        ..waiting_thread()
    };
    snapshot("inactivity-popup-thread", &round_trip(&thread));
}
