//! The one place where the daemon's view of a chat (`session::model`, the registry's threads
//! and changes, and the `cxone` values it keeps as they came) becomes the local API's view
//! (`rpc` types), and back where a call's values go to the back end: threads, messages and
//! their content, agents, contacts, custom fields, proactive actions, timestamps (and the clock
//! they are read from). Pure functions; the actors call them when they emit events and answer
//! calls. Nothing else in the daemon builds an API shape.

use cxone_chat_protocol::cxone::common::{
    Agent as CxAgent, ContactStatus as CxContactStatus, CustomField as CxField,
};
use cxone_chat_protocol::cxone::content::{
    InactivityPopup as CxInactivityPopup, MessageContent as CxContent, ReplyButton as CxButton,
};
use cxone_chat_protocol::cxone::events::FireProactiveAction;
use cxone_chat_protocol::cxone::rest::{FieldDefinition, FieldType, PreContactForm};
use cxone_chat_protocol::cxone::time::Timestamp as CxTimestamp;
use cxone_chat_protocol::rpc::notifications::{
    AgentAssigned, AgentTyping, ContactStatusChanged, CustomFieldsSet, EventPayload,
    MessageCreated, MessageUpdated, ProactiveActionFired, QueuePosition, ThreadUpdated,
    ThreadsUpdated,
};
use cxone_chat_protocol::rpc::types::{
    Agent, Attachment, Author, Contact, ContactStatus, Countdown, CustomField, CustomFieldScope,
    CustomFieldValues, CustomerAuthor, InactivityPopup, ListPicker, Media, Message, MessageContent,
    MessageDirection, MessageStatus, OpenInactivityPopup, PopupButton, PreChatSurvey,
    ProactiveAction, ProactiveActionType, ProactiveContent, QuickReplies, ReplyButton, RichLink,
    SurveyChoiceField, SurveyField, SurveyNode, SurveyOption, SurveyTextField, SurveyTreeField,
    Thread, ThreadState, TimePicker, TimeSlot, Timestamp, UnsupportedContent,
};

use crate::session::model::{self, ChatMessage, Delivery, Direction, OpenPopup};

mod plugin;
use crate::session::threads::{Change, Entry, ThreadRegistry};

/// Milliseconds since the Unix epoch, now (0 if the clock is before 1970).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Now, as CXone timestamps are written (UTC, milliseconds).
pub(crate) fn now() -> CxTimestamp {
    CxTimestamp::from_unix_ms_utc(now_ms())
}

/// A custom field as the API shows it.
pub(crate) fn custom_field(f: &CxField) -> CustomField {
    CustomField {
        ident: f.ident.clone(),
        value: f.value.clone(),
        updated_at: f.updated_at.as_ref().map(timestamp),
    }
}

/// Custom fields as the API shows them.
pub(crate) fn custom_fields(f: &[CxField]) -> Vec<CustomField> {
    f.iter().map(custom_field).collect()
}

/// A call's custom-field values as the back end takes them, stamped now.
pub(crate) fn cx_custom_fields(values: CustomFieldValues) -> Vec<CxField> {
    let at = now();
    values
        .into_iter()
        .map(|(ident, value)| CxField {
            ident,
            value,
            updated_at: Some(at.clone()),
        })
        .collect()
}

/// A CXone timestamp as the API writes every instant: UTC, milliseconds, `Z`.
pub(crate) fn timestamp(t: &CxTimestamp) -> Timestamp {
    Timestamp(
        CxTimestamp::from_unix_ms_utc(t.unix_ms())
            .as_str()
            .to_owned(),
    )
}

/// An agent.
pub(crate) fn agent(a: &CxAgent) -> Agent {
    Agent {
        id: a.id.max(0) as u64,
        first_name: a.first_name.clone(),
        last_name: a.surname.clone(),
        nickname: a.nickname.clone().filter(|n| !n.trim().is_empty()),
        image_url: a.avatar_url().map(str::to_owned),
        is_bot: a.is_bot_user,
    }
}

/// A contact status.
pub(crate) fn contact_status(s: &CxContactStatus) -> ContactStatus {
    match s {
        CxContactStatus::New => ContactStatus::New,
        CxContactStatus::Open => ContactStatus::Open,
        CxContactStatus::Pending => ContactStatus::Pending,
        CxContactStatus::Escalated => ContactStatus::Escalated,
        CxContactStatus::Resolved => ContactStatus::Resolved,
        CxContactStatus::Closed => ContactStatus::Closed,
        CxContactStatus::Trashed => ContactStatus::Trashed,
        CxContactStatus::Other(_) => ContactStatus::Unknown,
    }
}

fn button(b: &CxButton) -> ReplyButton {
    ReplyButton {
        text: b.text.clone(),
        postback: b.postback.clone(),
        description: b.description.clone(),
        icon: b.icon.as_ref().map(|i| Media {
            url: i.url.clone(),
            file_name: Some(i.file_name.clone()),
            mime_type: Some(i.mime_type.clone()),
        }),
    }
}

/// Message content: the plain text that stands for it, its postback, and the rich form.
pub(crate) fn content(c: &CxContent) -> (String, Option<String>, MessageContent) {
    let fallback = || {
        c.fallback_text()
            .map(str::to_owned)
            .unwrap_or_else(|| "This message cannot be shown.".into())
    };
    match c {
        CxContent::Text(t) => (
            t.text.clone(),
            t.postback.clone().flatten(),
            MessageContent::Text,
        ),
        CxContent::Postback(p) => (
            p.text.clone(),
            Some(p.postback.clone()),
            MessageContent::Text,
        ),
        CxContent::QuickReplies(q) => (
            q.text.clone(),
            None,
            MessageContent::QuickReplies(QuickReplies {
                text: q.text.clone(),
                buttons: q.actions.iter().map(button).collect(),
            }),
        ),
        CxContent::ListPicker(l) => (
            l.text.clone(),
            None,
            MessageContent::ListPicker(ListPicker {
                title: l.title.clone(),
                text: l.text.clone(),
                buttons: l.actions.iter().map(button).collect(),
            }),
        ),
        CxContent::RichLink(r) => (
            r.title.clone(),
            None,
            MessageContent::RichLink(RichLink {
                title: r.title.clone(),
                url: r.url.clone(),
                media: Some(Media {
                    url: r.media.url.clone(),
                    file_name: Some(r.media.file_name.clone()),
                    mime_type: Some(r.media.mime_type.clone()),
                }),
            }),
        ),
        CxContent::TimePicker(t) => (
            t.title.clone(),
            None,
            MessageContent::TimePicker(TimePicker {
                title: t.title.clone(),
                event_title: Some(t.event_title.clone()).filter(|s| !s.is_empty()),
                slots: t
                    .time_slots
                    .iter()
                    .map(|s| TimeSlot {
                        id: s.id.clone(),
                        start_time: timestamp(&s.start_time),
                        duration_seconds: s.duration,
                    })
                    .collect(),
            }),
        ),
        CxContent::InactivityPopup(p) => {
            let popup = p.popup();
            (
                popup.message(),
                None,
                MessageContent::InactivityPopup(inactivity_popup(popup)),
            )
        }
        CxContent::Plugin(p) => (fallback(), None, MessageContent::Plugin(plugin::plugin(p))),
        CxContent::Unsupported(_) => {
            let text = fallback();
            (
                text.clone(),
                None,
                MessageContent::Unsupported(UnsupportedContent {
                    fallback_text: text,
                }),
            )
        }
    }
}

/// A message's delivery status.
pub(crate) fn status(d: Delivery) -> MessageStatus {
    match d {
        Delivery::Queued => MessageStatus::Queued,
        Delivery::Sent => MessageStatus::Sent,
        Delivery::Delivered => MessageStatus::Delivered,
        Delivery::Seen => MessageStatus::Seen,
        Delivery::Read => MessageStatus::Read,
        Delivery::Failed => MessageStatus::Failed,
    }
}

/// A message.
pub(crate) fn message(m: &ChatMessage) -> Message {
    let (text, postback, rich) = content(&m.content);
    let author = m.author.as_ref().map(|a| match a {
        model::Author::Agent(a) => Author::Agent(agent(a)),
        model::Author::Customer {
            id,
            first_name,
            last_name,
        } => Author::Customer(CustomerAuthor {
            id: Some(id.clone()),
            first_name: first_name.clone(),
            last_name: last_name.clone(),
        }),
    });
    Message {
        id: m.id.clone(),
        thread_id: m.thread_id.clone(),
        direction: match m.direction {
            Direction::FromCustomer => MessageDirection::Inbound,
            Direction::ToCustomer => MessageDirection::Outbound,
        },
        status: status(m.status),
        created_at: timestamp(&m.created_at),
        author,
        text,
        postback,
        attachments: m
            .attachments
            .iter()
            .map(|a| Attachment {
                url: a.url.clone(),
                file_name: a.file_name.clone(),
                mime_type: a.mime_type.clone(),
            })
            .collect(),
        content: rich,
        // Plain text says all it has in `text`; anything else also goes out whole.
        raw_content: (!matches!(m.content, CxContent::Text(_)))
            .then(|| serde_json::to_value(&m.content).ok())
            .flatten(),
    }
}

/// A thread's state.
pub(crate) fn thread_state(s: model::ThreadState) -> ThreadState {
    match s {
        model::ThreadState::Pending => ThreadState::Pending,
        model::ThreadState::Received => ThreadState::Received,
        model::ThreadState::Loaded => ThreadState::Loaded,
        model::ThreadState::Ready => ThreadState::Ready,
        model::ThreadState::Closed => ThreadState::Closed,
    }
}

/// A thread, with its last message and unread count.
pub(crate) fn thread(e: &Entry) -> Thread {
    Thread {
        id: e.key(),
        name: e.name.clone().filter(|n| !n.is_empty()),
        state: thread_state(e.state),
        created_at: e.created_at.as_ref().map(timestamp),
        updated_at: e.updated_at.as_ref().map(timestamp),
        unread_count: e.unread_count(),
        last_message: e.messages.last().map(|m| Box::new(message(m))),
        agent: e.agent.as_ref().map(agent),
        queue_position: e.queue_position,
        contact: e.contact.as_ref().map(|c| Contact {
            id: c.id.clone(),
            status: contact_status(&c.status),
        }),
        custom_fields: custom_fields(&e.custom_fields),
        inactivity_popup: e.inactivity_popup.as_ref().map(|p| open_popup(&e.key(), p)),
    }
}

/// An inactivity popup's prompt.
fn inactivity_popup(popup: &CxInactivityPopup) -> InactivityPopup {
    InactivityPopup {
        title: popup.title.text.clone(),
        body: vec![popup.body.text.clone(), popup.call_to_action.text.clone()],
        countdown: Countdown {
            started_at: timestamp(&popup.countdown.started_at),
            seconds: popup.countdown.number_of_seconds,
        },
        continue_button: PopupButton {
            text: popup.refresh.text.clone(),
            postback: popup.refresh.postback.clone(),
        },
        end_button: PopupButton {
            text: popup.expire.text.clone(),
            postback: popup.expire.postback.clone(),
        },
    }
}

/// A thread's open inactivity popup, with the deadline its countdown sets.
fn open_popup(thread_id: &str, p: &OpenPopup) -> OpenInactivityPopup {
    OpenInactivityPopup {
        thread_id: thread_id.to_owned(),
        message_id: p.message_id.clone(),
        expires_at: timestamp(&CxTimestamp::from_unix_ms_seconds(
            p.popup.countdown.expires_at_unix_ms(),
        )),
        prompt: inactivity_popup(&p.popup),
    }
}

/// The `proactive.action` that announces an inactivity popup, as iOS delivers it
/// (`onProactiveActionReceived(.inactivityPopup)`).
fn popup_action(thread_id: &str, p: &OpenPopup) -> ProactiveAction {
    ProactiveAction {
        action_id: p.message_id.clone(),
        action_name: p.popup.title.text.clone(),
        action_type: ProactiveActionType::InactivityPopup,
        content: ProactiveContent {
            body_text: Some(p.popup.message()),
            headline_text: Some(p.popup.title.text.clone()),
            headline_secondary_text: None,
            image_url: None,
            variables: Default::default(),
            inactivity_popup: Some(open_popup(thread_id, p)),
        },
        custom_fields: Vec::new(),
    }
}

/// Every thread of a session, oldest first.
pub(crate) fn threads(r: &ThreadRegistry) -> Vec<Thread> {
    r.list().into_iter().map(thread).collect()
}

/// What a change in the registry means to the host: one event, rendered from the registry as
/// it stands (`None` for a thread that is no longer there).
pub(crate) fn change(r: &ThreadRegistry, c: Change) -> Option<EventPayload> {
    Some(match c {
        Change::Thread(id) => ThreadUpdated {
            thread: thread(r.get(&id)?),
        }
        .into(),
        Change::Threads => ThreadsUpdated {
            threads: threads(r),
        }
        .into(),
        Change::MessageCreated(m) => MessageCreated {
            message: message(&m),
        }
        .into(),
        Change::MessageUpdated(m) => MessageUpdated {
            message: message(&m),
            error: None,
        }
        .into(),
        Change::AgentAssigned {
            thread_id,
            agent: now,
            previous,
        } => AgentAssigned {
            thread_id,
            agent: now.as_ref().map(agent),
            previous_agent: previous.as_ref().map(agent),
        }
        .into(),
        Change::ContactStatus {
            thread_id,
            contact_id,
            status,
        } => ContactStatusChanged {
            thread_id,
            contact_id,
            status: contact_status(&status),
        }
        .into(),
        Change::QueuePosition {
            thread_id,
            position,
            agents_online,
        } => QueuePosition {
            thread_id,
            position,
            agents_online,
        }
        .into(),
        Change::AgentTyping {
            thread_id,
            is_typing,
            agent: who,
        } => AgentTyping {
            thread_id,
            is_typing,
            agent: Some(agent(&who)),
        }
        .into(),
        Change::ProactiveAction(p) => ProactiveActionFired {
            action: proactive_action(&p),
        }
        .into(),
        Change::InactivityPopup(id) => {
            let e = r.get(&id)?;
            ProactiveActionFired {
                action: popup_action(&e.key(), e.inactivity_popup.as_ref()?),
            }
            .into()
        }
        Change::CustomerFieldsSet(fields) => CustomFieldsSet {
            scope: CustomFieldScope::Customer,
            thread_id: None,
            custom_fields: custom_fields(&fields),
        }
        .into(),
    })
}

/// A proactive action (welcome message or custom popup) as the host sees it.
pub(crate) fn proactive_action(p: &FireProactiveAction) -> ProactiveAction {
    let a = &p.proactive_action.action;
    let action_type = match a.action_type.as_str() {
        "WelcomeMessage" => ProactiveActionType::WelcomeMessage,
        _ => ProactiveActionType::CustomPopupBox,
    };
    let (content, fields) = match &a.data {
        Some(d) => (
            ProactiveContent {
                body_text: d.content.body_text.clone(),
                headline_text: d.content.headline_text.clone(),
                headline_secondary_text: d.content.headline_secondary_text.clone(),
                image_url: d.content.image.clone(),
                variables: d
                    .content
                    .variables
                    .as_ref()
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default(),
                inactivity_popup: None,
            },
            custom_fields(&d.handover.custom_fields),
        ),
        None => (
            ProactiveContent {
                body_text: None,
                headline_text: None,
                headline_secondary_text: None,
                image_url: None,
                variables: Default::default(),
                inactivity_popup: None,
            },
            Vec::new(),
        ),
    };
    ProactiveAction {
        action_id: a.action_id.clone(),
        action_name: a.action_name.clone(),
        action_type,
        content,
        custom_fields: fields,
    }
}

/// A channel's pre-chat form as the API shows it. Field types the SDKs do not know are left
/// out, as Android does.
pub(crate) fn pre_chat_survey(form: &PreContactForm) -> PreChatSurvey {
    let fields = form
        .custom_fields
        .iter()
        .filter_map(|f| {
            let d = &f.definition;
            let text = || SurveyTextField {
                ident: d.ident.clone(),
                label: d.label.clone(),
                required: f.is_required,
            };
            let options = || {
                d.options()
                    .iter()
                    .map(|o| SurveyOption {
                        id: o.name.clone(),
                        label: o.value.clone(),
                    })
                    .collect()
            };
            Some(match d.field_type {
                FieldType::Text => SurveyField::Text(text()),
                FieldType::Email => SurveyField::Email(text()),
                FieldType::List => SurveyField::List(SurveyChoiceField {
                    ident: d.ident.clone(),
                    label: d.label.clone(),
                    required: f.is_required,
                    options: options(),
                }),
                FieldType::Tree => SurveyField::Tree(SurveyTreeField {
                    ident: d.ident.clone(),
                    label: d.label.clone(),
                    required: f.is_required,
                    nodes: tree(d, None, 0),
                }),
                // Field types the SDKs do not know are left out, as Android does.
                FieldType::Other(_) => return None,
            })
        })
        .collect();
    PreChatSurvey {
        name: form.name.clone(),
        fields,
    }
}

/// The nodes of a tree field under `parent`, with their children. The depth is capped: a
/// configuration whose `parentId`s form a cycle must not recurse forever.
fn tree(d: &FieldDefinition, parent: Option<&str>, depth: usize) -> Vec<SurveyNode> {
    if depth > 32 {
        return Vec::new();
    }
    d.children(parent)
        .map(|o| SurveyNode {
            id: o.name.clone(),
            label: o.value.clone(),
            children: tree(d, Some(&o.name), depth + 1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use cxone_chat_protocol::cxone::message::Message as CxMessage;
    use serde_json::json;

    use super::*;
    use crate::session::model::server_status;

    fn cx(v: serde_json::Value) -> CxMessage {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn an_agent_text_message_becomes_an_outbound_message_with_its_author() {
        let m = cx(json!({
            "idOnExternalPlatform": "A91082B7-46F8-4D0D-AF43-079994DE98C6",
            "threadIdOnExternalPlatform": "3118d0df-99aa-49e9-a115-c5b98736dee7",
            "messageContent": {"type": "TEXT", "payload": {"text": "Hi"}},
            "createdAt": "2022-08-04T19:27:35+01:00",
            "createdAtWithMilliseconds": "2022-08-04T19:27:35.450+01:00",
            "direction": "outbound", "attachments": [],
            "userStatistics": {"readAt": null},
            "authorUser": {"id": 7, "firstName": "Ann", "surname": "Lee", "nickname": "", "isBotUser": false,
                           "isSurveyUser": false, "publicImageUrl": "https://x/a.png"}
        }));
        let out = message(&ChatMessage::from_backend(&m));
        assert_eq!(
            out.id, "a91082b7-46f8-4d0d-af43-079994de98c6",
            "ids are lowercased for the API"
        );
        assert_eq!(out.created_at.0, "2022-08-04T18:27:35.450Z");
        assert_eq!(out.status, MessageStatus::Delivered);
        assert_eq!(out.text, "Hi");
        let Some(Author::Agent(a)) = out.author else {
            panic!()
        };
        assert_eq!(
            (a.first_name.as_str(), a.last_name.as_str(), a.nickname),
            ("Ann", "Lee", None)
        );
    }

    #[test]
    fn quick_replies_keep_their_buttons_and_unknown_content_its_fallback() {
        let qr = CxContent::from_value(
            json!({"type": "QUICK_REPLIES", "payload": {"text": {"content": "Pick"},
            "actions": [{"type": "REPLY_BUTTON", "text": "Yes", "postback": "y"}]}}),
        )
        .unwrap();
        let (text, _, rich) = content(&qr);
        assert_eq!(text, "Pick");
        let MessageContent::QuickReplies(q) = rich else {
            panic!()
        };
        assert_eq!(
            (q.buttons[0].text.as_str(), q.buttons[0].postback.as_deref()),
            ("Yes", Some("y"))
        );

        let odd = CxContent::from_value(json!({"type": "CAROUSEL", "fallbackText": "See the app"}))
            .unwrap();
        let (text, _, rich) = content(&odd);
        assert_eq!(text, "See the app");
        assert!(matches!(rich, MessageContent::Unsupported(u) if u.fallback_text == "See the app"));
    }

    #[test]
    fn read_receipts_drive_the_status() {
        let mut m = cx(json!({
            "idOnExternalPlatform": "a91082b7-46f8-4d0d-af43-079994de98c6",
            "threadIdOnExternalPlatform": "3118d0df-99aa-49e9-a115-c5b98736dee7",
            "messageContent": {"type": "TEXT", "payload": {"text": "x"}},
            "createdAt": "2022-08-04T19:27:35+01:00", "direction": "inbound", "attachments": [],
            "userStatistics": {"seenAt": "2022-08-04T19:28:00+01:00"}
        }));
        assert_eq!(status(server_status(&m)), MessageStatus::Seen);
        m.user_statistics.as_mut().unwrap().read_at =
            Some(CxTimestamp::parse("2022-08-04T19:29:00Z").unwrap());
        assert_eq!(status(server_status(&m)), MessageStatus::Read);
    }
}
