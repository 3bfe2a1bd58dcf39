//! Builders of the frames the back end sends, in exactly the shapes of the real server
//! (PROTOCOL.md §2.2, §3, checklist §7): replies echo the request's `eventId`; pushes carry
//! `eventObject`, `createdAt` without a fraction and `createdAtWithMilliseconds`.

use cxone_chat_protocol::cxone::common::{Agent, BrandRef, IdRef, ThreadRef};
use cxone_chat_protocol::cxone::events::{EventInS3, MessageCreated, OriginEvent, S3Object};
use cxone_chat_protocol::cxone::message::Message;
use cxone_chat_protocol::cxone::received::{
    EventBody, OperationError, ReceivedEvent, ReceivedFrame, Shape,
};
use cxone_chat_protocol::cxone::time::Timestamp;

use crate::backend::{ThreadRec, now_ms};
use crate::config::AgentConfig;

/// A reply: `{eventId, postback: {eventType, data}}`.
pub(crate) fn postback(event_id: &str, event_type: &str, body: EventBody) -> ReceivedFrame {
    ReceivedFrame::Event(Box::new(ReceivedEvent {
        event_id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        shape: Shape::Postback,
        event_object: None,
        created_at: None,
        created_at_with_milliseconds: None,
        // The web SDK checks `status: "success"` on authorization replies; mobile ignores it.
        status: (event_type == "ConsumerAuthorized").then(|| "success".to_owned()),
        body,
    }))
}

/// A push with a fresh `eventId`.
pub(crate) fn push(event_type: &str, event_object: Option<&str>, body: EventBody) -> ReceivedFrame {
    let now = now_ms();
    ReceivedFrame::Event(Box::new(ReceivedEvent {
        event_id: uuid::Uuid::new_v4().to_string(),
        event_type: event_type.to_owned(),
        shape: Shape::Push,
        event_object: event_object.map(str::to_owned),
        created_at: Some(Timestamp::from_unix_ms_seconds(now)),
        created_at_with_milliseconds: Some(Timestamp::from_unix_ms_millis(now)),
        status: None,
        body,
    }))
}

/// The acknowledgement of `SendMessage` (and of the other requests the web SDK awaits without
/// reading the answer): a frame with only the request's `eventId`. It must not be a typed
/// event, or iOS would not take it as the ack (PROTOCOL.md §2.3).
pub(crate) fn ack(event_id: &str) -> ReceivedFrame {
    ReceivedFrame::Event(Box::new(ReceivedEvent {
        event_id: event_id.to_owned(),
        event_type: String::new(),
        shape: Shape::Push,
        event_object: None,
        created_at: None,
        created_at_with_milliseconds: None,
        status: None,
        body: EventBody::Other(None),
    }))
}

/// An operation error for a request.
pub(crate) fn operation_error(
    event_id: &str,
    code: &str,
    message: &str,
    input: Option<serde_json::Value>,
) -> ReceivedFrame {
    ReceivedFrame::OperationError(OperationError {
        event_id: event_id.to_owned(),
        error_code: code.to_owned(),
        transaction_id: uuid::Uuid::new_v4().to_string(),
        error_message: message.to_owned(),
        input_data: input,
    })
}

/// The `EventInS3` stand-in for a frame parked in the bucket.
pub(crate) fn event_in_s3(url: &str, origin_event_type: &str) -> ReceivedFrame {
    push(
        "EventInS3",
        Some("S3Object"),
        EventBody::EventInS3(EventInS3 {
            s3_object: S3Object {
                url: url.to_owned(),
            },
            origin_event: OriginEvent {
                event_type: origin_event_type.to_owned(),
            },
        }),
    )
}

/// The simulated agent as a CXone user object.
pub(crate) fn agent(cfg: &AgentConfig) -> Agent {
    Agent {
        id: cfg.id,
        first_name: cfg.first_name.clone(),
        surname: cfg.surname.clone(),
        nickname: Some(String::new()),
        is_bot_user: false,
        is_survey_user: false,
        public_image_url: Some(String::new()),
        image_url: None,
    }
}

/// `CaseCreated` for the contact a customer message just opened in `thread`. The web SDK turns
/// it into `ContactCreated`, keeps `case.id` as the contact id (`LivechatThread.endChat()`
/// needs it) and from then on treats the thread as existing; its documentation lists the event
/// as "a contact is created from the thread (after the first message)". The mobile SDKs ignore
/// it. `enrich` adds the routing keys of the documented shape.
pub(crate) fn case_created(thread: &ThreadRec) -> ReceivedFrame {
    push(
        "CaseCreated",
        Some("Case"),
        EventBody::Other(Some(serde_json::json!({
            "brand": BrandRef { id: thread.key.brand },
            "channel": IdRef::new(thread.key.channel.clone()),
            "case": thread.contact_wire(),
        }))),
    )
}

/// `MessageCreated` for a message of `thread`.
pub(crate) fn message_created(thread: &ThreadRec, message: &Message) -> ReceivedFrame {
    push(
        "MessageCreated",
        Some("Message"),
        EventBody::MessageCreated(MessageCreated {
            brand: BrandRef {
                id: thread.key.brand,
            },
            channel: IdRef::new(thread.key.channel.clone()),
            case: thread.contact_wire(),
            thread: Some(ThreadRef {
                id_on_external_platform: thread.id.clone(),
                thread_name: Some(thread.name.clone()),
            }),
            message: message.clone(),
        }),
    )
}

/// The server-side thread id, `chat_<channel>_<thread>` style.
pub(crate) fn server_thread_id(thread: &ThreadRec) -> String {
    format!("{}_{}", thread.key.channel, thread.id)
}
