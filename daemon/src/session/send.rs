//! The rules of sending, as plain logic: where a message goes (the socket now, or the outbox),
//! what a send must carry to be accepted, what the frame of a thread's message holds (a thread
//! the back end does not know yet carries its name and pre-chat answers), and when a new thread
//! may be opened. The thread-registry actor applies them.

use cxone_chat_protocol::cxone::common::{
    CustomField as CxField, CustomFields, ThreadRef, UuidString,
};
use cxone_chat_protocol::cxone::content::MessageContent as CxContent;
use cxone_chat_protocol::cxone::rest::BrowserFingerprint;
use cxone_chat_protocol::cxone::sent::{MessageData, OutgoingFrame, SentAttachment, SentEvent};
use cxone_chat_protocol::cxone::time::Timestamp;
use cxone_chat_protocol::rpc::types::{ChatMode, CustomFieldValues};

use crate::session::error::SessionError;
use crate::session::model::{Attachment, ChatMessage, Delivery, Direction, ThreadState};
use crate::session::threads::Entry;

/// The longest text taken as something a customer is writing (a typing preview, the offline
/// form's message): a message, not a document.
pub(crate) const MAX_DRAFT_CHARS: usize = 10_000;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Out on the socket now.
    Socket,
    /// Into the outbox (on disk), sent after the connection is back or the flush running now.
    Queue,
}

/// Where a send goes: on the socket when there is a live one and no outbox flush is running
/// (a message never overtakes queued ones); queued behind a flush on the live socket, and while
/// the connection is being restored; refused when there is no connection and none is wanted.
/// A flush left running by a disconnect does not make a send queue: the host chose to be
/// offline, and a flush without a socket sends nothing.
pub(crate) fn route(
    live_socket: bool,
    reconnecting: bool,
    flushing: bool,
) -> Result<Route, SessionError> {
    match (live_socket, flushing, reconnecting) {
        (true, false, _) => Ok(Route::Socket),
        (true, true, _) | (false, _, true) => Ok(Route::Queue),
        (false, _, false) => Err(SessionError::NotConnected),
    }
}

/// A send the registry accepted: its id and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accepted {
    /// The message's id: the client's own (idempotent retries) or a new one.
    pub(crate) id: UuidString,
    /// The text (empty for a postback or attachments alone).
    pub(crate) text: String,
}

/// Checks a send to `thread_id` (found as `entry`): the thread must exist and be open, the
/// message must have text, a postback or an attachment, and a client's id must be a UUID.
pub(crate) fn accept(
    entry: Option<&Entry>,
    thread_id: &str,
    text: Option<&str>,
    postback: Option<&str>,
    has_attachments: bool,
    client_message_id: Option<&str>,
) -> Result<Accepted, SessionError> {
    let entry = entry.ok_or_else(|| SessionError::UnknownThread(thread_id.to_owned()))?;
    if !entry.is_open() {
        return Err(SessionError::ThreadClosed(thread_id.to_owned()));
    }
    let text = text.unwrap_or_default().to_owned();
    if text.trim().is_empty() && postback.is_none() && !has_attachments {
        return Err(SessionError::InvalidParameter {
            field: "text",
            detail: "a message needs text, a postback or an attachment".into(),
        });
    }
    let id = match client_message_id {
        Some(c) => UuidString::parse(c).map_err(|e| SessionError::InvalidParameter {
            field: "clientMessageId",
            detail: e.to_string(),
        })?,
        None => UuidString::new_v4(),
    };
    Ok(Accepted { id, text })
}

/// The welcome message a pending thread shows, which its first message must be preceded by on
/// the server (PROTOCOL.md §3.9.6); `None` once the thread is on the server.
pub(crate) fn welcome_to_record(entry: &Entry) -> Option<&ChatMessage> {
    if entry.state != ThreadState::Pending {
        return None;
    }
    entry
        .messages
        .iter()
        .find(|m| m.direction == Direction::ToCustomer)
}

/// A queued customer message as its thread shows it, read back from the frame the outbox keeps
/// (the outbox stores only what goes on the wire; a restart shows the message from it).
/// `None` for a frame that is not a customer's message.
pub(crate) fn queued_message(frame: &OutgoingFrame, enqueued_at_ms: i64) -> Option<ChatMessage> {
    let OutgoingFrame::Event { payload, .. } = frame else {
        return None;
    };
    let SentEvent::SendMessage(data) = &payload.event else {
        return None;
    };
    let attachments = data
        .attachments
        .iter()
        .map(|a| Attachment {
            url: a.url.clone(),
            file_name: a
                .file_name
                .clone()
                .unwrap_or_else(|| a.friendly_name.clone()),
            mime_type: a.mime_type.clone().unwrap_or_default(),
        })
        .collect();
    Some(ChatMessage::local(
        data.id_on_external_platform.as_str(),
        data.thread.id_on_external_platform.as_str(),
        Direction::FromCustomer,
        Delivery::Queued,
        Timestamp::from_unix_ms_utc(enqueued_at_ms),
        data.message_content.clone(),
        attachments,
    ))
}

/// The customer's side of a message frame: the customer's fields and the device.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sender<'a> {
    /// Customer custom fields, sent with every message.
    pub(crate) customer_fields: &'a [CxField],
    /// The device fingerprint every message carries.
    pub(crate) fingerprint: Option<&'a BrowserFingerprint>,
}

/// The data of a `SendMessage` or `SendOutbound` for a thread. A thread the server does not
/// know yet carries its name and its pre-chat answers (PROTOCOL.md §3.8). The access token is
/// stamped just before the frame is written.
pub(crate) fn message_data(
    entry: &Entry,
    sender: &Sender<'_>,
    content: CxContent,
    id: UuidString,
    attachments: Vec<SentAttachment>,
) -> MessageData {
    let pending = entry.state == ThreadState::Pending;
    let thread = ThreadRef {
        id_on_external_platform: entry.id.clone(),
        thread_name: entry.name.clone().filter(|_| pending),
    };
    let contact = pending.then(|| CustomFields {
        custom_fields: entry
            .custom_fields
            .iter()
            .map(|f| CxField {
                ident: f.ident.clone(),
                value: f.value.clone(),
                updated_at: None,
            })
            .collect(),
    });
    MessageData {
        thread,
        message_content: content,
        id_on_external_platform: id,
        customer: Some(CustomFields {
            custom_fields: sender.customer_fields.to_vec(),
        }),
        consumer: None,
        contact,
        consumer_contact: None,
        attachments,
        device_fingerprint: sender.fingerprint.cloned(),
        browser_fingerprint: None,
        access_token: None,
    }
}

/// Whether a new thread may be opened: only when connected; in single-thread and live-chat
/// channels only when no conversation is open; and with every required pre-chat answer given.
pub(crate) fn may_create(
    connected: bool,
    mode: Option<ChatMode>,
    has_open_thread: bool,
    required_fields: &[String],
    answers: &CustomFieldValues,
) -> Result<(), SessionError> {
    if !connected {
        return Err(SessionError::NotConnected);
    }
    if mode != Some(ChatMode::Multithread) && has_open_thread {
        return Err(SessionError::UnsupportedInMode(
            "this channel has one conversation at a time and it is still open; use it, or end it first",
        ));
    }
    match required_fields
        .iter()
        .find(|ident| answers.get(*ident).is_none_or(|v| v.trim().is_empty()))
    {
        Some(missing) => Err(SessionError::PreChatSurveyIncomplete(missing.clone())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::threads::ThreadRegistry;

    const T: &str = "6a1d1a0c-6e1b-4f6d-9a36-2f8e1c0f5b11";

    fn registry_with(state: ThreadState) -> ThreadRegistry {
        let mut r = ThreadRegistry::default();
        let fields = vec![CxField {
            ident: "topic".into(),
            value: "billing".into(),
            updated_at: None,
        }];
        r.create_pending(
            UuidString::parse(T).unwrap(),
            Some("Billing".into()),
            fields,
            Timestamp::parse("2026-12-03T09:00:00.000Z").unwrap(),
        );
        r.get_mut(T).unwrap().state = state;
        r
    }

    #[test]
    fn a_send_goes_out_when_live_is_queued_while_restoring_and_is_refused_offline() {
        assert_eq!(route(true, false, false).unwrap(), Route::Socket);
        // A running flush: behind the queued messages, never ahead of them.
        assert_eq!(route(true, false, true).unwrap(), Route::Queue);
        assert_eq!(route(false, true, false).unwrap(), Route::Queue);
        assert_eq!(route(false, true, true).unwrap(), Route::Queue);
        // Disconnected by the host while the connection's flush still runs: refused, as
        // with no flush (a load-dependent race seen in flows::an_explicit_disconnect…).
        for flushing in [false, true] {
            assert!(matches!(
                route(false, false, flushing),
                Err(SessionError::NotConnected)
            ));
        }
    }

    #[test]
    fn a_send_needs_an_open_thread_and_something_to_say() {
        let r = registry_with(ThreadState::Ready);
        let ok = accept(r.get(T), T, Some("hi"), None, false, None).unwrap();
        assert_eq!(ok.text, "hi");
        assert!(matches!(
            accept(None, T, Some("hi"), None, false, None),
            Err(SessionError::UnknownThread(_))
        ));
        assert!(matches!(
            accept(r.get(T), T, Some("  "), None, false, None),
            Err(SessionError::InvalidParameter { field: "text", .. })
        ));
        // A postback or an attachment alone is a message.
        assert!(accept(r.get(T), T, None, Some("yes"), false, None).is_ok());
        assert!(accept(r.get(T), T, None, None, true, None).is_ok());
        let closed = registry_with(ThreadState::Closed);
        assert!(matches!(
            accept(closed.get(T), T, Some("hi"), None, false, None),
            Err(SessionError::ThreadClosed(_))
        ));
    }

    #[test]
    fn the_clients_message_id_is_kept_and_must_be_a_uuid() {
        let r = registry_with(ThreadState::Ready);
        let id = "0b0e7a1e-52c8-4b1a-9f0e-3c7d2f7e9a10";
        let ok = accept(r.get(T), T, Some("hi"), None, false, Some(id)).unwrap();
        assert_eq!(ok.id.to_lowercase(), id);
        assert!(matches!(
            accept(r.get(T), T, Some("hi"), None, false, Some("nope")),
            Err(SessionError::InvalidParameter {
                field: "clientMessageId",
                ..
            })
        ));
    }

    #[test]
    fn a_pending_threads_message_carries_its_name_and_pre_chat_answers() {
        let fields = [CxField {
            ident: "email".into(),
            value: "a@b.c".into(),
            updated_at: None,
        }];
        let sender = Sender {
            customer_fields: &fields,
            fingerprint: None,
        };
        let pending = registry_with(ThreadState::Pending);
        let id = UuidString::new_v4();
        let data = message_data(
            pending.get(T).unwrap(),
            &sender,
            CxContent::text("hi"),
            id.clone(),
            Vec::new(),
        );
        assert_eq!(data.thread.thread_name.as_deref(), Some("Billing"));
        let contact = data.contact.expect("pre-chat answers");
        assert_eq!(contact.custom_fields[0].ident, "topic");
        assert_eq!(data.customer.unwrap().custom_fields[0].ident, "email");
        assert_eq!(data.id_on_external_platform, id);
        // Once on the server, neither travels again.
        let known = registry_with(ThreadState::Ready);
        let data = message_data(
            known.get(T).unwrap(),
            &sender,
            CxContent::text("hi"),
            UuidString::new_v4(),
            Vec::new(),
        );
        assert!(data.thread.thread_name.is_none());
        assert!(data.contact.is_none());
    }

    #[test]
    fn a_new_thread_needs_a_connection_room_for_it_and_the_required_answers() {
        let required = vec!["topic".to_owned()];
        let mut answers = CustomFieldValues::new();
        assert!(matches!(
            may_create(false, Some(ChatMode::Multithread), false, &[], &answers),
            Err(SessionError::NotConnected)
        ));
        assert!(matches!(
            may_create(true, Some(ChatMode::Singlethread), true, &[], &answers),
            Err(SessionError::UnsupportedInMode(_))
        ));
        assert!(may_create(true, Some(ChatMode::Multithread), true, &[], &answers).is_ok());
        answers.insert("topic".into(), " ".into());
        assert!(matches!(
            may_create(true, Some(ChatMode::Multithread), false, &required, &answers),
            Err(SessionError::PreChatSurveyIncomplete(f)) if f == "topic"
        ));
        answers.insert("topic".into(), "billing".into());
        assert!(may_create(true, Some(ChatMode::Livechat), false, &required, &answers).is_ok());
    }

    #[test]
    fn only_a_pending_thread_records_its_welcome_before_the_first_message() {
        let mut r = registry_with(ThreadState::Pending);
        assert!(welcome_to_record(r.get(T).unwrap()).is_none());
        let welcome = ChatMessage::local(
            UuidString::new_v4().as_str(),
            T,
            Direction::ToCustomer,
            Delivery::Delivered,
            Timestamp::parse("2026-12-03T09:00:01.000Z").unwrap(),
            CxContent::text("Welcome"),
            Vec::new(),
        );
        r.get_mut(T).unwrap().upsert(welcome);
        assert_eq!(
            welcome_to_record(r.get(T).unwrap()).unwrap().text(),
            "Welcome"
        );
        r.get_mut(T).unwrap().state = ThreadState::Ready;
        assert!(welcome_to_record(r.get(T).unwrap()).is_none());
    }

    #[test]
    fn a_queued_frame_reads_back_as_the_customers_queued_message() {
        use cxone_chat_protocol::cxone::common::CustomerIdentity;

        use crate::session::envelope::Envelope;

        let r = registry_with(ThreadState::Ready);
        let id = UuidString::new_v4();
        let file = SentAttachment {
            url: "https://files.example/a.pdf".into(),
            friendly_name: "a.pdf".into(),
            mime_type: Some("application/pdf".into()),
            file_name: None,
        };
        let data = message_data(
            r.get(T).unwrap(),
            &Sender::default(),
            CxContent::text("hello"),
            id.clone(),
            vec![file],
        );
        let frame = Envelope::new(1, "chat".into(), "visitor".into())
            .frame(&CustomerIdentity::new("c"), SentEvent::SendMessage(data));
        // Through the text the outbox keeps, as after a restart.
        let stored = OutgoingFrame::from_text(&frame.to_text()).unwrap();
        let m = queued_message(&stored, 1_764_752_400_123).unwrap();
        assert_eq!(
            (m.id.as_str(), m.thread_id.as_str()),
            (id.to_lowercase().as_str(), T)
        );
        assert_eq!(
            (m.direction, m.status),
            (Direction::FromCustomer, Delivery::Queued)
        );
        assert_eq!(m.text(), "hello");
        assert_eq!(m.created_at.unix_ms(), 1_764_752_400_123);
        assert_eq!(m.attachments[0].file_name, "a.pdf");
        assert_eq!(m.attachments[0].mime_type, "application/pdf");
        assert!(queued_message(&OutgoingFrame::Heartbeat, 0).is_none());
    }
}
