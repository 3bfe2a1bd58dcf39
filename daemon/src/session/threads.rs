//! The thread registry as plain logic: a session's threads with their messages (kept in order,
//! de-duplicated by id), contacts, agents and queue positions. Back-end events go in through
//! [`ThreadRegistry::apply`]; the local API's events come out. The thread-registry actor is a
//! thin shell over this.

use std::collections::BTreeMap;

use cxone_chat_protocol::cxone::common::{Contact as CxContact, Thread as CxThread, UuidString};
use cxone_chat_protocol::cxone::events::{FireProactiveAction, ThreadRecovered};
use cxone_chat_protocol::cxone::received::EventBody;
use cxone_chat_protocol::rpc::notifications::{
    AgentAssigned, AgentTyping, ContactStatusChanged, CustomFieldsSet, EventPayload,
    MessageCreated, MessageUpdated, ProactiveActionFired, QueuePosition, ThreadUpdated,
    ThreadsUpdated,
};
use cxone_chat_protocol::rpc::types::{
    Agent, Contact, ContactStatus, CustomField, CustomFieldScope, Message, MessageDirection,
    MessageStatus, ProactiveAction, ProactiveActionType, ProactiveContent, Thread, ThreadState,
    Timestamp,
};

use crate::to_api;

/// One thread.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The id as first written (the back end compares case-insensitively; we send it as is).
    pub(crate) id: UuidString,
    /// Name.
    pub(crate) name: Option<String>,
    /// Thread state (PROTOCOL.md §5.1).
    pub(crate) state: ThreadState,
    /// Creation time.
    pub(crate) created_at: Option<Timestamp>,
    /// Last change.
    pub(crate) updated_at: Option<Timestamp>,
    /// Messages, oldest first, unique by id.
    pub(crate) messages: Vec<Message>,
    /// Cursor for older history; `None` or empty when there is none.
    pub(crate) scroll_token: Option<String>,
    /// The contact (case), once the back end created one.
    pub(crate) contact: Option<Contact>,
    /// The assigned agent.
    pub(crate) agent: Option<Agent>,
    /// Live-chat queue position.
    pub(crate) queue_position: Option<u32>,
    /// Contact custom fields.
    pub(crate) custom_fields: Vec<CustomField>,
    /// Created before the welcome message arrived: it gets the welcome when it comes, unless an
    /// agent speaks first.
    pub(crate) awaiting_welcome: bool,
}

impl Entry {
    fn new(id: UuidString, state: ThreadState) -> Self {
        Self {
            id,
            name: None,
            state,
            created_at: None,
            updated_at: None,
            messages: Vec::new(),
            scroll_token: None,
            contact: None,
            agent: None,
            queue_position: None,
            custom_fields: Vec::new(),
            awaiting_welcome: false,
        }
    }

    /// The API view of the thread.
    pub(crate) fn to_api(&self) -> Thread {
        let unread = self
            .messages
            .iter()
            .filter(|m| {
                m.direction == MessageDirection::Outbound && m.status == MessageStatus::Delivered
            })
            .count() as u32;
        Thread {
            id: self.id.to_lowercase(),
            name: self.name.clone().filter(|n| !n.is_empty()),
            state: self.state,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            unread_count: unread,
            last_message: self.messages.last().cloned().map(Box::new),
            agent: self.agent.clone(),
            queue_position: self.queue_position,
            contact: self.contact.clone(),
            custom_fields: self.custom_fields.clone(),
        }
    }

    /// Whether the thread takes new messages.
    pub(crate) fn is_open(&self) -> bool {
        self.state != ThreadState::Closed
    }

    /// Adds or replaces a message; returns whether it was new.
    pub(crate) fn upsert(&mut self, message: Message) -> bool {
        match self.messages.iter_mut().find(|m| m.id == message.id) {
            Some(existing) => {
                *existing = message;
                false
            }
            None => {
                // Keep order by creation time; equal times keep arrival order.
                let at = self
                    .messages
                    .partition_point(|m| m.created_at.0 <= message.created_at.0);
                self.messages.insert(at, message);
                true
            }
        }
    }
}

/// A session's threads.
#[derive(Debug, Default)]
pub(crate) struct ThreadRegistry {
    threads: BTreeMap<String, Entry>,
    /// Live chat: a closed contact ends its thread. In messaging channels the thread stays
    /// open and the next message starts a new contact (the back end keeps
    /// `canAddMoreMessages: true`; iOS changes the thread state in live chat only).
    live_chat: bool,
}

impl ThreadRegistry {
    /// A thread by id (any letter case).
    pub(crate) fn get(&self, id: &str) -> Option<&Entry> {
        self.threads.get(&id.to_ascii_lowercase())
    }

    /// A thread by id, mutable.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        self.threads.get_mut(&id.to_ascii_lowercase())
    }

    /// Every thread, oldest first.
    pub(crate) fn list(&self) -> Vec<Thread> {
        let mut v: Vec<Thread> = self.threads.values().map(Entry::to_api).collect();
        v.sort_by(|a, b| {
            a.created_at
                .as_ref()
                .map(|t| &t.0)
                .cmp(&b.created_at.as_ref().map(|t| &t.0))
                .then(a.id.cmp(&b.id))
        });
        v
    }

    /// Number of threads.
    pub(crate) fn len(&self) -> usize {
        self.threads.len()
    }

    /// The open thread of a single-thread or live-chat session, if any.
    pub(crate) fn current(&self) -> Option<&Entry> {
        self.threads
            .values()
            .filter(|t| t.is_open())
            .max_by(|a, b| {
                a.created_at
                    .as_ref()
                    .map(|t| &t.0)
                    .cmp(&b.created_at.as_ref().map(|t| &t.0))
            })
    }

    /// A thread created locally: pending until its first message reaches the back end.
    pub(crate) fn create_pending(
        &mut self,
        id: UuidString,
        name: Option<String>,
        fields: Vec<CustomField>,
        now: Timestamp,
    ) -> Thread {
        let mut e = Entry::new(id.clone(), ThreadState::Pending);
        e.name = name;
        e.custom_fields = fields;
        e.created_at = Some(now.clone());
        e.updated_at = Some(now);
        let t = e.to_api();
        self.threads.insert(id.to_lowercase(), e);
        t
    }

    fn entry(&mut self, id: &UuidString, state: ThreadState) -> (&mut Entry, bool) {
        let key = id.to_lowercase();
        let known = self.threads.contains_key(&key);
        (
            self.threads
                .entry(key)
                .or_insert_with(|| Entry::new(id.clone(), state)),
            !known,
        )
    }

    /// The open threads still waiting for the welcome message, by id.
    pub(crate) fn awaiting_welcome(&self) -> Vec<String> {
        self.threads
            .values()
            .filter(|e| e.awaiting_welcome && e.is_open())
            .map(|e| e.id.to_lowercase())
            .collect()
    }

    /// Whether a closed contact closes its thread (live chat), or not (messaging).
    pub(crate) fn set_live_chat(&mut self, live_chat: bool) {
        self.live_chat = live_chat;
    }

    fn apply_contact(e: &mut Entry, c: &CxContact, live_chat: bool) {
        e.contact = Some(Contact {
            id: c.id().to_owned(),
            status: to_api::contact_status(&c.status),
        });
        if !c.custom_fields.is_empty() {
            e.custom_fields = c.custom_fields.iter().map(to_api::custom_field).collect();
        }
        if e.contact
            .as_ref()
            .is_some_and(|c| c.status == ContactStatus::Closed)
        {
            if live_chat {
                e.state = ThreadState::Closed;
            }
            e.queue_position = None;
        }
    }

    fn apply_thread(e: &mut Entry, t: &CxThread, state: ThreadState) {
        e.name = Some(t.thread_name.clone());
        e.created_at = t
            .created_at
            .as_ref()
            .map(to_api::timestamp)
            .or(e.created_at.take());
        e.updated_at = t
            .updated_at
            .as_ref()
            .map(to_api::timestamp)
            .or(e.updated_at.take());
        // A closed thread never becomes ready again (fixed in iOS 3.0.0).
        e.state = if !t.can_add_more_messages || e.state == ThreadState::Closed {
            ThreadState::Closed
        } else {
            state
        };
    }

    fn recovered(&mut self, r: &ThreadRecovered) -> Vec<EventPayload> {
        let live = self.live_chat;
        let (e, new) = self.entry(&r.thread.id_on_external_platform, ThreadState::Ready);
        Self::apply_thread(e, &r.thread, ThreadState::Ready);
        if let Some(c) = r.contact() {
            Self::apply_contact(e, c, live);
        }
        e.agent = r.inbox_assignee.as_ref().map(to_api::agent);
        e.scroll_token = r.messages_scroll_token.clone().filter(|t| !t.is_empty());
        let mut out = Vec::new();
        // Messages the SDKs hide (Begin Conversation, automatic answers) are not shown either.
        for m in r.messages.iter().filter(|m| !m.message_content.is_hidden()) {
            let msg = to_api::message(m, to_api::server_status(m));
            let created = e.upsert(msg.clone());
            // On the first recovery the history is state, not news; after a reconnect the
            // messages that arrived meanwhile are news (the server replays nothing else).
            if created && !new {
                out.push(MessageCreated { message: msg }.into());
            }
        }
        out.insert(0, ThreadUpdated { thread: e.to_api() }.into());
        out
    }

    /// Applies a back-end event; returns the local API events it causes.
    pub(crate) fn apply(&mut self, body: &EventBody) -> Vec<EventPayload> {
        let live = self.live_chat;
        match body {
            EventBody::ThreadRecovered(r) | EventBody::LivechatRecovered(Some(r)) => {
                self.recovered(r)
            }
            EventBody::ThreadListFetched(l) => {
                for t in &l.threads {
                    let (e, _) = self.entry(&t.id_on_external_platform, ThreadState::Received);
                    // A thread the list mentions again keeps what is already known about it.
                    let state = if e.state == ThreadState::Pending {
                        ThreadState::Received
                    } else {
                        e.state
                    };
                    Self::apply_thread(e, t, state);
                }
                vec![
                    ThreadsUpdated {
                        threads: self.list(),
                    }
                    .into(),
                ]
            }
            EventBody::ThreadMetadataLoaded(m) => {
                let Some(id) = m.last_message.thread_id() else {
                    return Vec::new();
                };
                let (e, _) = self.entry(&id, ThreadState::Loaded);
                e.upsert(to_api::message(
                    &m.last_message,
                    to_api::server_status(&m.last_message),
                ));
                if e.state == ThreadState::Received {
                    e.state = ThreadState::Loaded;
                }
                if let Some(a) = &m.owner_assignee {
                    e.agent = Some(to_api::agent(a));
                }
                vec![ThreadUpdated { thread: e.to_api() }.into()]
            }
            EventBody::MoreMessagesLoaded(m) => {
                let Some(id) = m.messages.first().and_then(|x| x.thread_id()) else {
                    return Vec::new();
                };
                let Some(e) = self.get_mut(id.as_str()) else {
                    return Vec::new();
                };
                for x in m.messages.iter().filter(|x| !x.message_content.is_hidden()) {
                    e.upsert(to_api::message(x, to_api::server_status(x)));
                }
                e.scroll_token = m.scroll_token.clone().filter(|t| !t.is_empty());
                vec![ThreadUpdated { thread: e.to_api() }.into()]
            }
            EventBody::MessageCreated(mc) => {
                let Some(id) = mc.message.thread_id() else {
                    return Vec::new();
                };
                let (e, _) = self.entry(&id, ThreadState::Ready);
                if e.state != ThreadState::Closed {
                    e.state = ThreadState::Ready;
                }
                if let Some(name) = mc
                    .thread
                    .as_ref()
                    .and_then(|t| t.thread_name.clone())
                    .filter(|n| !n.is_empty())
                {
                    e.name = Some(name);
                }
                Self::apply_contact(e, &mc.case, live);
                if mc.message.message_content.is_hidden() {
                    return vec![ThreadUpdated { thread: e.to_api() }.into()];
                }
                // Our own message comes back as its echo: that is the back end's confirmation.
                let msg = to_api::message(&mc.message, to_api::server_status(&mc.message));
                // An agent spoke: a welcome arriving later would read out of place.
                if msg.direction == MessageDirection::Outbound {
                    e.awaiting_welcome = false;
                }
                let payload: EventPayload = if e.upsert(msg.clone()) {
                    MessageCreated { message: msg }.into()
                } else {
                    MessageUpdated {
                        message: msg,
                        error: None,
                    }
                    .into()
                };
                e.updated_at = Some(to_api::timestamp(&mc.message.created_at));
                vec![payload, ThreadUpdated { thread: e.to_api() }.into()]
            }
            EventBody::MessageReadChanged(mc) | EventBody::MessageSeenChanged(mc) => {
                let Some(id) = mc.message.thread_id() else {
                    return Vec::new();
                };
                let Some(e) = self.get_mut(id.as_str()) else {
                    return Vec::new();
                };
                // Receipts for hidden messages (the agent reading "Begin Conversation") must
                // not bring them into the history.
                if mc.message.message_content.is_hidden() {
                    return Vec::new();
                }
                let msg = to_api::message(&mc.message, to_api::server_status(&mc.message));
                e.upsert(msg.clone());
                vec![
                    MessageUpdated {
                        message: msg,
                        error: None,
                    }
                    .into(),
                ]
            }
            EventBody::CaseInboxAssigneeChanged(c) => {
                let Some(id) = c.case.thread_id() else {
                    return Vec::new();
                };
                let (e, _) = self.entry(&id, ThreadState::Ready);
                let previous = e.agent.take();
                e.agent = c.inbox_assignee.as_ref().map(to_api::agent);
                e.queue_position = None;
                Self::apply_contact(e, &c.case, live);
                let thread_id = e.id.to_lowercase();
                vec![
                    AgentAssigned {
                        thread_id,
                        agent: e.agent.clone(),
                        previous_agent: previous,
                    }
                    .into(),
                    ThreadUpdated { thread: e.to_api() }.into(),
                ]
            }
            EventBody::CaseStatusChanged(c) => {
                let Some(id) = c.case.thread_id() else {
                    return Vec::new();
                };
                let Some(e) = self.get_mut(id.as_str()) else {
                    return Vec::new();
                };
                Self::apply_contact(e, &c.case, live);
                let thread_id = e.id.to_lowercase();
                vec![
                    ContactStatusChanged {
                        thread_id,
                        contact_id: c.case.id().to_owned(),
                        status: to_api::contact_status(&c.case.status),
                    }
                    .into(),
                    ThreadUpdated { thread: e.to_api() }.into(),
                ]
            }
            EventBody::SetPositionInQueue(q) => {
                let Some(e) = self.threads.values_mut().find(|t| {
                    t.contact
                        .as_ref()
                        .is_some_and(|c| c.id == q.consumer_contact.id)
                }) else {
                    return Vec::new();
                };
                // The position means nothing once an agent has the contact (Android does the same).
                if e.agent.is_some() {
                    return Vec::new();
                }
                let position = q.position_in_queue.clamp(0, i64::from(u32::MAX)) as u32;
                e.queue_position = Some(position);
                vec![
                    QueuePosition {
                        thread_id: e.id.to_lowercase(),
                        position,
                        agents_online: q.is_any_agent_online_for_queue,
                    }
                    .into(),
                ]
            }
            EventBody::SenderTypingStarted(t) | EventBody::SenderTypingEnded(t) => match &t.user {
                // `user: null` is the echo of the customer's own typing.
                None => Vec::new(),
                Some(agent) => vec![
                    AgentTyping {
                        thread_id: t.thread.id_on_external_platform.to_lowercase(),
                        is_typing: matches!(body, EventBody::SenderTypingStarted(_)),
                        agent: Some(to_api::agent(agent)),
                    }
                    .into(),
                ],
            },
            EventBody::FireProactiveAction(p) => proactive(p),
            _ => Vec::new(),
        }
    }
}

fn proactive(p: &FireProactiveAction) -> Vec<EventPayload> {
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
            },
            d.handover
                .custom_fields
                .iter()
                .map(to_api::custom_field)
                .collect::<Vec<_>>(),
        ),
        None => (
            ProactiveContent {
                body_text: None,
                headline_text: None,
                headline_secondary_text: None,
                image_url: None,
                variables: Default::default(),
            },
            Vec::new(),
        ),
    };
    let mut out: Vec<EventPayload> = vec![
        ProactiveActionFired {
            action: ProactiveAction {
                action_id: a.action_id.clone(),
                action_name: a.action_name.clone(),
                action_type,
                content,
                custom_fields: fields.clone(),
            },
        }
        .into(),
    ];
    if !fields.is_empty() {
        out.push(
            CustomFieldsSet {
                scope: CustomFieldScope::Customer,
                thread_id: None,
                custom_fields: fields,
            }
            .into(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use cxone_chat_protocol::cxone::received::{ReceivedEvent, ReceivedFrame};
    use serde_json::json;

    use super::*;

    const T: &str = "3118d0df-99aa-49e9-a115-c5b98736dee7";

    fn body(frame: serde_json::Value) -> EventBody {
        match ReceivedFrame::from_value(&frame).unwrap() {
            ReceivedFrame::Event(e) => {
                let ReceivedEvent { body, .. } = *e;
                body
            }
            other => panic!("{other:?}"),
        }
    }

    fn message_created(id: &str, direction: &str, status: &str) -> EventBody {
        body(
            json!({"eventId": "e", "eventObject": "Message", "eventType": "MessageCreated",
            "createdAt": "2024-01-01T10:00:00+00:00",
            "data": {"brand": {"id": 1}, "channel": {"id": "c"},
                "case": {"id": "77", "threadIdOnExternalPlatform": T.to_uppercase(), "status": status, "createdAt": "2024-01-01T10:00:00+00:00", "customFields": []},
                "thread": {"idOnExternalPlatform": T, "threadName": ""},
                "message": {"idOnExternalPlatform": id, "threadIdOnExternalPlatform": T, "messageContent": {"type": "TEXT", "payload": {"text": "hello"}},
                    "createdAt": "2024-01-01T10:00:00+00:00", "direction": direction, "attachments": []}}}),
        )
    }

    #[test]
    fn receipts_for_hidden_messages_keep_them_out_of_the_history() {
        let mut r = ThreadRegistry::default();
        r.apply(&message_created(
            "2fc774f7-3fc0-4619-b097-8df52e7d8295",
            "inbound",
            "open",
        ));
        let read = |id: &str, content: serde_json::Value| {
            body(
                json!({"eventId": "e", "eventObject": "Message", "eventType": "MessageReadChanged",
                "createdAt": "2024-01-01T10:00:01+00:00",
                "data": {"brand": {"id": 1}, "channel": {"id": "c"},
                    "message": {"idOnExternalPlatform": id, "threadIdOnExternalPlatform": T, "messageContent": content,
                        "createdAt": "2024-01-01T09:59:00+00:00", "direction": "inbound", "attachments": [],
                        "userStatistics": {"seenAt": "2024-01-01T10:00:01+00:00", "readAt": "2024-01-01T10:00:01+00:00"}}}}),
            )
        };
        let hidden = json!({"type": "TEXT", "payload": {"text": "Begin Conversation"},
            "parameters": {"isInitialMessage": true}});
        assert!(
            r.apply(&read("7a0c5bbe-af0c-47aa-986d-499eb6064811", hidden))
                .is_empty()
        );
        assert_eq!(
            r.get(T).unwrap().messages.len(),
            1,
            "still only the visible one"
        );
        let shown = json!({"type": "TEXT", "payload": {"text": "hello"}});
        let out = r.apply(&read("2fc774f7-3fc0-4619-b097-8df52e7d8295", shown));
        assert!(matches!(&out[0], EventPayload::MessageUpdated(_)));
        assert_eq!(r.get(T).unwrap().messages.len(), 1);
    }

    #[test]
    fn the_echo_of_a_pending_threads_first_message_makes_it_ready_with_its_contact() {
        let mut r = ThreadRegistry::default();
        r.create_pending(
            UuidString::parse(T).unwrap(),
            Some("Order".into()),
            vec![],
            Timestamp("2024-01-01T09:59:00.000Z".into()),
        );
        assert_eq!(r.get(T).unwrap().state, ThreadState::Pending);
        let mid = "2fc774f7-3fc0-4619-b097-8df52e7d8295";
        let out = r.apply(&message_created(mid, "inbound", "new"));
        assert!(matches!(&out[0], EventPayload::MessageCreated(m) if m.message.id == mid));
        let t = r.get(&T.to_uppercase()).unwrap();
        assert_eq!(
            (t.state, t.contact.as_ref().unwrap().id.as_str()),
            (ThreadState::Ready, "77")
        );
        // The same message again (a re-sent echo) updates, it does not duplicate.
        let again = r.apply(&message_created(mid, "inbound", "open"));
        assert!(matches!(&again[0], EventPayload::MessageUpdated(_)));
        assert_eq!(r.get(T).unwrap().messages.len(), 1);
    }

    #[test]
    fn a_closed_case_leaves_a_messaging_thread_open_for_the_next_contact() {
        let mut r = ThreadRegistry::default();
        r.apply(&message_created(
            "2fc774f7-3fc0-4619-b097-8df52e7d8295",
            "inbound",
            "open",
        ));
        let closed = body(
            json!({"eventId": "e", "eventObject": "Case", "eventType": "CaseStatusChanged", "createdAt": "2024-01-01T10:05:00+00:00",
            "data": {"brand": {"id": 1}, "channel": {"id": "c"},
                "case": {"id": "77", "threadIdOnExternalPlatform": T, "status": "closed", "createdAt": "2024-01-01T10:00:00+00:00", "customFields": []}}}),
        );
        let out = r.apply(&closed);
        assert!(
            matches!(&out[0], EventPayload::ContactStatus(c) if c.status == ContactStatus::Closed)
        );
        let t = r.get(T).unwrap();
        assert_eq!(t.state, ThreadState::Ready);
        assert!(t.is_open());
        assert_eq!(t.contact.as_ref().unwrap().status, ContactStatus::Closed);
    }

    #[test]
    fn a_closed_case_closes_a_live_chat_thread_for_good() {
        let mut r = ThreadRegistry::default();
        r.set_live_chat(true);
        r.apply(&message_created(
            "2fc774f7-3fc0-4619-b097-8df52e7d8295",
            "inbound",
            "open",
        ));
        let closed = body(
            json!({"eventId": "e", "eventObject": "Case", "eventType": "CaseStatusChanged", "createdAt": "2024-01-01T10:05:00+00:00",
            "data": {"brand": {"id": 1}, "channel": {"id": "c"},
                "case": {"id": "77", "threadIdOnExternalPlatform": T, "status": "closed", "createdAt": "2024-01-01T10:00:00+00:00", "customFields": []}}}),
        );
        let out = r.apply(&closed);
        assert!(
            matches!(&out[0], EventPayload::ContactStatus(c) if c.status == ContactStatus::Closed)
        );
        assert_eq!(r.get(T).unwrap().state, ThreadState::Closed);
        r.apply(&message_created(
            "7a0c5bbe-af0c-47aa-986d-499eb6064811",
            "outbound",
            "closed",
        ));
        assert_eq!(
            r.get(T).unwrap().state,
            ThreadState::Closed,
            "closed never goes back to ready"
        );
    }

    #[test]
    fn queue_positions_stop_counting_once_an_agent_is_assigned() {
        let mut r = ThreadRegistry::default();
        r.apply(&message_created(
            "2fc774f7-3fc0-4619-b097-8df52e7d8295",
            "inbound",
            "new",
        ));
        let q = |n| {
            body(
                json!({"eventId": "q", "eventType": "SetPositionInQueue", "data": {"consumerContact": {"id": "77"}, "positionInQueue": n}}),
            )
        };
        assert!(matches!(&r.apply(&q(2))[0], EventPayload::QueuePosition(p) if p.position == 2));
        let assigned = body(
            json!({"eventId": "a", "eventObject": "Case", "eventType": "CaseInboxAssigneeChanged", "createdAt": "2024-01-01T10:01:00+00:00",
            "data": {"brand": {"id": 1}, "channel": {"id": "c"},
                "case": {"id": "77", "threadIdOnExternalPlatform": T, "status": "open", "createdAt": "2024-01-01T10:00:00+00:00", "customFields": []},
                "inboxAssignee": {"id": 5, "firstName": "Ann", "surname": "Lee", "isBotUser": false, "isSurveyUser": false, "publicImageUrl": ""}}}),
        );
        let out = r.apply(&assigned);
        assert!(
            matches!(&out[0], EventPayload::AgentAssigned(a) if a.agent.as_ref().unwrap().first_name == "Ann")
        );
        assert_eq!(r.get(T).unwrap().queue_position, None);
        assert!(r.apply(&q(1)).is_empty());
    }

    #[test]
    fn messages_stay_in_time_order_whatever_order_they_arrive_in() {
        let mut e = Entry::new(UuidString::parse(T).unwrap(), ThreadState::Ready);
        let m = |id: &str, at: &str| Message {
            id: id.into(),
            thread_id: T.into(),
            direction: MessageDirection::Inbound,
            status: MessageStatus::Delivered,
            created_at: Timestamp(at.into()),
            author: None,
            text: id.into(),
            postback: None,
            attachments: vec![],
            content: cxone_chat_protocol::rpc::types::MessageContent::Text,
        };
        e.upsert(m("b", "2024-01-01T10:00:02.000Z"));
        e.upsert(m("a", "2024-01-01T10:00:01.000Z"));
        e.upsert(m("c", "2024-01-01T10:00:03.000Z"));
        e.upsert(m("a", "2024-01-01T10:00:01.000Z"));
        assert_eq!(
            e.messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }
}
