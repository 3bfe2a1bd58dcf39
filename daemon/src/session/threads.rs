//! The thread registry as plain logic: a session's threads with their messages (kept in order,
//! de-duplicated by id), contacts, agents and queue positions, in the daemon's own terms
//! (`session::model`). Back-end events go in through [`ThreadRegistry::apply`]; what they
//! changed comes out as [`Change`]s, which `to_api.rs` renders as the local API's events. The
//! thread-registry actor is a thin shell over this.

use std::collections::BTreeMap;

use cxone_chat_protocol::cxone::common::{
    Agent, Contact as CxContact, ContactStatus, CustomField, Thread as CxThread, UuidString,
};
use cxone_chat_protocol::cxone::events::{FireProactiveAction, ThreadRecovered};
use cxone_chat_protocol::cxone::received::EventBody;
use cxone_chat_protocol::cxone::time::Timestamp;

use crate::session::model::{ChatMessage, Contact, Direction, OpenPopup, ThreadState};

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
    /// Messages, oldest first, unique by id, indexed.
    pub(crate) messages: super::messages::Messages,
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
    /// Agent messages the customer has not seen that are not loaded here: the thread list's
    /// `unseenByEndUserMessagesCount` less the unseen ones loaded since. A multi-thread list
    /// loads only each thread's last message, yet its badge must count them all.
    pub(crate) unseen_not_loaded: u32,
    /// Live chat: the inactivity popup waiting for the customer's answer.
    pub(crate) inactivity_popup: Option<OpenPopup>,
    /// Known only from the store (a thread of an earlier run) until the back end mentions it.
    pub(crate) restored: bool,
}

impl Entry {
    /// A thread with nothing known of it yet but its id and state.
    pub(crate) fn new(id: UuidString, state: ThreadState) -> Self {
        Self {
            id,
            name: None,
            state,
            created_at: None,
            updated_at: None,
            messages: Default::default(),
            scroll_token: None,
            contact: None,
            agent: None,
            queue_position: None,
            custom_fields: Vec::new(),
            awaiting_welcome: false,
            unseen_not_loaded: 0,
            inactivity_popup: None,
            restored: false,
        }
    }

    /// The id as the local API writes it, and as the registry keys it.
    pub(crate) fn key(&self) -> String {
        self.id.to_lowercase()
    }

    /// Whether the thread takes new messages.
    pub(crate) fn is_open(&self) -> bool {
        self.state != ThreadState::Closed
    }

    /// Agent messages the customer has not read, loaded or not.
    pub(crate) fn unread_count(&self) -> u32 {
        self.unseen_not_loaded + self.loaded_unread()
    }

    fn loaded_unread(&self) -> u32 {
        self.messages.unread()
    }

    /// The customer has seen everything in the thread.
    pub(crate) fn mark_read(&mut self) {
        self.messages.mark_read();
        self.unseen_not_loaded = 0;
    }

    /// Adds or replaces a message loaded from history (a recovery, metadata, older messages):
    /// an unseen one the thread list counted is now counted where it is loaded.
    fn upsert_history(&mut self, message: ChatMessage) -> bool {
        let unread = message.is_unread();
        let new = self.upsert(message);
        if new && unread {
            self.unseen_not_loaded = self.unseen_not_loaded.saturating_sub(1);
        }
        new
    }

    /// A message by id (lowercase).
    pub(crate) fn message(&self, id: &str) -> Option<&ChatMessage> {
        self.messages.get(id)
    }

    /// Adds or replaces a message; returns whether it was new.
    pub(crate) fn upsert(&mut self, message: ChatMessage) -> bool {
        self.messages.upsert(message)
    }
}

/// What an event or a call changed, for the host to hear. `to_api.rs` renders each as one event
/// of the local API; a thread's view is rendered as it stands after the whole change.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// A thread changed (by key).
    Thread(String),
    /// The list of threads changed.
    Threads,
    /// A message is new.
    MessageCreated(ChatMessage),
    /// A known message changed.
    MessageUpdated(ChatMessage),
    /// A thread's inactivity popup opened (by key); announced as a proactive action.
    InactivityPopup(String),
    /// A thread's agent changed.
    AgentAssigned {
        /// The thread (key).
        thread_id: String,
        /// The new agent.
        agent: Option<Agent>,
        /// The agent before.
        previous: Option<Agent>,
    },
    /// A thread's contact changed status.
    ContactStatus {
        /// The thread (key).
        thread_id: String,
        /// The contact.
        contact_id: String,
        /// Its new status.
        status: ContactStatus,
    },
    /// A live chat's place in the queue.
    QueuePosition {
        /// The thread (key).
        thread_id: String,
        /// Its place.
        position: u32,
        /// Whether any agent is online for the queue, when the back end says.
        agents_online: Option<bool>,
    },
    /// An agent started or stopped typing.
    AgentTyping {
        /// The thread (key).
        thread_id: String,
        /// Started (true) or stopped.
        is_typing: bool,
        /// Who.
        agent: Agent,
    },
    /// The back end fired a proactive action (a welcome message or a popup).
    ProactiveAction(Box<FireProactiveAction>),
    /// A proactive action's hand-over set the customer's custom fields.
    CustomerFieldsSet(Vec<CustomField>),
}

/// A session's threads.
#[derive(Debug, Default)]
pub(crate) struct ThreadRegistry {
    threads: BTreeMap<String, Entry>,
    /// Live chat: a closed contact ends its thread. In messaging channels the thread stays
    /// open and the next message starts a new contact (the back end keeps
    /// `canAddMoreMessages: true`; iOS changes the thread state in live chat only).
    live_chat: bool,
    /// A queue position for a contact no thread has yet: the back end can route a new live
    /// chat (and announce its place) before the echo of its first message names the contact.
    /// iOS keeps it until the contact is known; so does the registry (the latest one only).
    early_position: Option<EarlyPosition>,
}

/// A queue position that arrived before its contact.
#[derive(Debug)]
struct EarlyPosition {
    contact_id: String,
    position: u32,
    agents_online: Option<bool>,
}

/// A thread's creation time as ordered: unknown first.
fn created(e: &Entry) -> Option<i64> {
    e.created_at.as_ref().map(Timestamp::unix_ms)
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
    pub(crate) fn list(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.threads.values().collect();
        v.sort_by(|a, b| created(a).cmp(&created(b)).then(a.key().cmp(&b.key())));
        v
    }

    /// Number of threads.
    /// Forgets every thread (another customer logged in).
    pub(crate) fn clear(&mut self) {
        self.threads.clear();
        self.early_position = None;
    }

    pub(crate) fn len(&self) -> usize {
        self.threads.len()
    }

    /// The open thread of a single-thread or live-chat session, if any.
    pub(crate) fn current(&self) -> Option<&Entry> {
        self.threads
            .values()
            .filter(|t| t.is_open())
            .max_by_key(|t| created(t))
    }

    /// A thread created locally: pending until its first message reaches the back end.
    pub(crate) fn create_pending(
        &mut self,
        id: UuidString,
        name: Option<String>,
        fields: Vec<CustomField>,
        now: Timestamp,
    ) -> &Entry {
        let mut e = Entry::new(id, ThreadState::Pending);
        e.name = name;
        e.custom_fields = fields;
        e.created_at = Some(now.clone());
        e.updated_at = Some(now);
        let key = e.key();
        self.threads.entry(key).or_insert(e)
    }

    /// The entry of a thread the back end mentions, and whether it is new to this run (a
    /// thread restored from the store is: its history is not news either).
    fn entry(&mut self, id: &UuidString, state: ThreadState) -> (&mut Entry, bool) {
        let key = id.to_lowercase();
        let e = self.threads.entry(key).or_insert_with(|| {
            let mut e = Entry::new(id.clone(), state);
            e.restored = true;
            e
        });
        let new = std::mem::replace(&mut e.restored, false);
        (e, new)
    }

    /// Threads of an earlier run: `kept` as the store had them, and the other `ids` known by
    /// id alone, until the back end lists or recovers them. A send to one while the connection
    /// is down is not refused as unknown. Threads this run already has are left as they are.
    pub(crate) fn restore(&mut self, ids: &[UuidString], kept: Vec<Entry>) -> bool {
        let mut added = false;
        let bare = ids.iter().map(|id| {
            let mut e = Entry::new(id.clone(), ThreadState::Received);
            e.restored = true;
            e
        });
        for e in kept.into_iter().chain(bare) {
            if let std::collections::btree_map::Entry::Vacant(v) = self.threads.entry(e.key()) {
                v.insert(e);
                added = true;
            }
        }
        added
    }

    /// Drops the restored threads a connection's recovery did not confirm (archived or gone
    /// on the back end); returns their ids.
    pub(crate) fn forget_unconfirmed(&mut self) -> Vec<String> {
        let gone: Vec<String> = self
            .threads
            .iter()
            .filter(|(_, e)| e.restored)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &gone {
            self.threads.remove(k);
        }
        gone
    }

    /// Every thread id, as the registry keys them.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.threads.keys()
    }

    /// Every thread, by key, to take what changed for the store.
    pub(crate) fn entries_mut(&mut self) -> impl Iterator<Item = (&String, &mut Entry)> {
        self.threads.iter_mut()
    }

    /// The open threads still waiting for the welcome message, by id.
    pub(crate) fn awaiting_welcome(&self) -> Vec<String> {
        self.threads
            .values()
            .filter(|e| e.awaiting_welcome && e.is_open())
            .map(Entry::key)
            .collect()
    }

    /// Whether a closed contact closes its thread (live chat), or not (messaging).
    pub(crate) fn set_live_chat(&mut self, live_chat: bool) {
        self.live_chat = live_chat;
    }

    fn apply_contact(e: &mut Entry, c: &CxContact, live_chat: bool) {
        e.contact = Some(Contact {
            id: c.id().to_owned(),
            status: c.status.clone(),
        });
        if !c.custom_fields.is_empty() {
            e.custom_fields = c.custom_fields.clone();
        }
        if c.status == ContactStatus::Closed {
            if live_chat {
                e.state = ThreadState::Closed;
            }
            e.queue_position = None;
            // Nothing left to keep alive.
            e.inactivity_popup = None;
        }
    }

    fn apply_thread(e: &mut Entry, t: &CxThread, state: ThreadState) {
        e.name = Some(t.thread_name.clone());
        e.created_at = t.created_at.clone().or(e.created_at.take());
        e.updated_at = t.updated_at.clone().or(e.updated_at.take());
        // A closed thread never becomes ready again (fixed in iOS 3.0.0).
        e.state = if !t.can_add_more_messages || e.state == ThreadState::Closed {
            ThreadState::Closed
        } else {
            state
        };
    }

    fn recovered(&mut self, r: &ThreadRecovered) -> Vec<Change> {
        let live = self.live_chat;
        let (e, new) = self.entry(&r.thread.id_on_external_platform, ThreadState::Ready);
        Self::apply_thread(e, &r.thread, ThreadState::Ready);
        if let Some(c) = r.contact() {
            Self::apply_contact(e, c, live);
        }
        e.agent = r.inbox_assignee.clone();
        e.scroll_token = r.messages_scroll_token.clone().filter(|t| !t.is_empty());
        let mut out = vec![Change::Thread(e.key())];
        // A popup that is the newest message still waits for its answer (iOS shows it again).
        let newest = r.messages.iter().max_by_key(|m| m.sort_key());
        let popup = newest.and_then(|m| OpenPopup::of(&ChatMessage::from_backend(m)));
        if popup.is_some() && e.is_open() {
            e.inactivity_popup = popup;
            out.push(Change::InactivityPopup(e.key()));
        }
        // Messages the SDKs hide (Begin Conversation, automatic answers) are not shown either.
        for m in r.messages.iter().filter(|m| !m.message_content.is_hidden()) {
            let msg = ChatMessage::from_backend(m);
            // On the first recovery the history is state, not news; after a reconnect the
            // messages that arrived meanwhile are news (the server replays nothing else).
            if new {
                e.upsert_history(msg);
            } else if e.upsert_history(msg.clone()) {
                out.push(Change::MessageCreated(msg));
            }
        }
        out
    }

    /// Applies a back-end event; returns what it changed.
    pub(crate) fn apply(&mut self, body: &EventBody) -> Vec<Change> {
        let mut out = self.apply_event(body);
        if self.early_position.is_some() {
            out.extend(self.early_position_now_placed());
        }
        out
    }

    /// The early queue position, once a thread has its contact (and no agent yet).
    fn early_position_now_placed(&mut self) -> Option<Change> {
        let early = self.early_position.as_ref()?;
        let e = self
            .threads
            .values_mut()
            .find(|t| t.contact.as_ref().is_some_and(|c| c.id == early.contact_id))?;
        let early = self.early_position.take()?;
        let waiting = e.agent.is_none()
            && e.contact
                .as_ref()
                .is_some_and(|c| c.status != ContactStatus::Closed);
        if !waiting {
            return None;
        }
        e.queue_position = Some(early.position);
        Some(Change::QueuePosition {
            thread_id: e.key(),
            position: early.position,
            agents_online: early.agents_online,
        })
    }

    fn apply_event(&mut self, body: &EventBody) -> Vec<Change> {
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
                    if let Some(n) = t.unseen_by_end_user_messages_count {
                        let n = u32::try_from(n).unwrap_or(u32::MAX);
                        e.unseen_not_loaded = n.saturating_sub(e.loaded_unread());
                    }
                }
                vec![Change::Threads]
            }
            EventBody::ThreadMetadataLoaded(m) => {
                let Some(id) = m.last_message.thread_id() else {
                    return Vec::new();
                };
                let (e, _) = self.entry(&id, ThreadState::Loaded);
                e.upsert_history(ChatMessage::from_backend(&m.last_message));
                if e.state == ThreadState::Received {
                    e.state = ThreadState::Loaded;
                }
                if let Some(a) = &m.owner_assignee {
                    e.agent = Some(a.clone());
                }
                vec![Change::Thread(e.key())]
            }
            EventBody::MoreMessagesLoaded(m) => {
                let Some(id) = m.messages.first().and_then(|x| x.thread_id()) else {
                    return Vec::new();
                };
                let Some(e) = self.get_mut(id.as_str()) else {
                    return Vec::new();
                };
                for x in m.messages.iter().filter(|x| !x.message_content.is_hidden()) {
                    e.upsert_history(ChatMessage::from_backend(x));
                }
                e.scroll_token = m.scroll_token.clone().filter(|t| !t.is_empty());
                vec![Change::Thread(e.key())]
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
                let msg = ChatMessage::from_backend(&mc.message);
                if let Some(popup) = OpenPopup::of(&msg) {
                    if !e.is_open() {
                        return vec![Change::Thread(e.key())];
                    }
                    e.inactivity_popup = Some(popup);
                    return vec![Change::Thread(e.key()), Change::InactivityPopup(e.key())];
                }
                if mc.message.message_content.is_hidden() {
                    return vec![Change::Thread(e.key())];
                }
                // Someone wrote: the conversation is alive, the popup's question answered.
                e.inactivity_popup = None;
                // Our own message comes back as its echo: that is the back end's confirmation.
                // An agent spoke: a welcome arriving later would read out of place.
                if msg.direction == Direction::ToCustomer {
                    e.awaiting_welcome = false;
                }
                let change = if e.upsert(msg.clone()) {
                    Change::MessageCreated(msg)
                } else {
                    Change::MessageUpdated(msg)
                };
                e.updated_at = Some(mc.message.created_at.clone());
                vec![change, Change::Thread(e.key())]
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
                let msg = ChatMessage::from_backend(&mc.message);
                e.upsert(msg.clone());
                vec![Change::MessageUpdated(msg)]
            }
            EventBody::CaseInboxAssigneeChanged(c) => {
                let Some(id) = c.case.thread_id() else {
                    return Vec::new();
                };
                let (e, _) = self.entry(&id, ThreadState::Ready);
                let previous = e.agent.take();
                e.agent = c.inbox_assignee.clone();
                e.queue_position = None;
                Self::apply_contact(e, &c.case, live);
                vec![
                    Change::AgentAssigned {
                        thread_id: e.key(),
                        agent: e.agent.clone(),
                        previous,
                    },
                    Change::Thread(e.key()),
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
                vec![
                    Change::ContactStatus {
                        thread_id: e.key(),
                        contact_id: c.case.id().to_owned(),
                        status: c.case.status.clone(),
                    },
                    Change::Thread(e.key()),
                ]
            }
            EventBody::SetPositionInQueue(q) => {
                let position = q.position_in_queue.clamp(0, i64::from(u32::MAX)) as u32;
                let Some(e) = self.threads.values_mut().find(|t| {
                    t.contact
                        .as_ref()
                        .is_some_and(|c| c.id == q.consumer_contact.id)
                }) else {
                    self.early_position = Some(EarlyPosition {
                        contact_id: q.consumer_contact.id.clone(),
                        position,
                        agents_online: q.is_any_agent_online_for_queue,
                    });
                    return Vec::new();
                };
                // The position means nothing once an agent has the contact (Android does the same).
                if e.agent.is_some() {
                    return Vec::new();
                }
                e.queue_position = Some(position);
                vec![Change::QueuePosition {
                    thread_id: e.key(),
                    position,
                    agents_online: q.is_any_agent_online_for_queue,
                }]
            }
            EventBody::SenderTypingStarted(t) | EventBody::SenderTypingEnded(t) => match &t.user {
                // `user: null` is the echo of the customer's own typing.
                None => Vec::new(),
                Some(agent) => vec![Change::AgentTyping {
                    thread_id: t.thread.id_on_external_platform.to_lowercase(),
                    is_typing: matches!(body, EventBody::SenderTypingStarted(_)),
                    agent: agent.clone(),
                }],
            },
            EventBody::FireProactiveAction(p) => {
                let fields = p
                    .proactive_action
                    .action
                    .data
                    .as_ref()
                    .map(|d| d.handover.custom_fields.clone())
                    .unwrap_or_default();
                let mut out = vec![Change::ProactiveAction(Box::new(p.clone()))];
                if !fields.is_empty() {
                    out.push(Change::CustomerFieldsSet(fields));
                }
                out
            }
            _ => Vec::new(),
        }
    }
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
    fn the_badge_counts_what_the_customer_has_not_seen_loaded_or_not() {
        let fixture = |name: &str| {
            let path = format!(
                "{}/../../shared/cxone/fixtures/ios/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            serde_json::from_str::<serde_json::Value>(&text).unwrap()
        };
        let mut r = ThreadRegistry::default();
        // The SDKs' fixture: 7 unseen by agents, none by the customer. No badge.
        r.apply(&body(fixture("ThreadListFetchedEvent.json")));
        assert_eq!(r.get(T).unwrap().unread_count(), 0);

        // Three agent messages the customer has not seen; the list loads none of them.
        let mut list = fixture("ThreadListFetchedEvent.json");
        list["postback"]["data"]["threads"][0]["unseenByEndUserMessagesCount"] = json!(3);
        r.apply(&body(list.clone()));
        assert_eq!(r.get(T).unwrap().unread_count(), 3);
        // The last of them arrives with the metadata: counted once, not twice.
        let agent_message = |id: &str| {
            body(
                json!({"eventId": "e", "postback": {"eventType": "ThreadMetadataLoaded", "data": {
                "lastMessage": {"idOnExternalPlatform": id, "threadIdOnExternalPlatform": T,
                    "messageContent": {"type": "TEXT", "payload": {"text": "news"}},
                    "createdAt": "2024-01-01T10:00:00+00:00", "direction": "outbound",
                    "attachments": [], "userStatistics": {"readAt": "2024-01-01T10:00:00+00:00"},
                    "customerStatistics": {"seenAt": null}}}}}),
            )
        };
        r.apply(&agent_message("2179e34e-ed52-4c9a-b5c4-e15361bb3f7c"));
        r.apply(&agent_message("2179e34e-ed52-4c9a-b5c4-e15361bb3f7c"));
        assert_eq!(r.get(T).unwrap().unread_count(), 3);
        // The list again (a reconnect): the loaded message is still one of the three.
        r.apply(&body(list));
        assert_eq!(r.get(T).unwrap().unread_count(), 3);

        r.get_mut(T).unwrap().mark_read();
        assert_eq!(r.get(T).unwrap().unread_count(), 0);
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
        assert!(matches!(&out[0], Change::MessageUpdated(_)));
        assert_eq!(r.get(T).unwrap().messages.len(), 1);
    }

    #[test]
    fn the_echo_of_a_pending_threads_first_message_makes_it_ready_with_its_contact() {
        let mut r = ThreadRegistry::default();
        r.create_pending(
            UuidString::parse(T).unwrap(),
            Some("Order".into()),
            vec![],
            Timestamp::parse("2024-01-01T09:59:00.000Z").unwrap(),
        );
        assert_eq!(r.get(T).unwrap().state, ThreadState::Pending);
        let mid = "2fc774f7-3fc0-4619-b097-8df52e7d8295";
        let out = r.apply(&message_created(mid, "inbound", "new"));
        assert!(matches!(&out[0], Change::MessageCreated(m) if m.id == mid));
        let t = r.get(&T.to_uppercase()).unwrap();
        assert_eq!(
            (t.state, t.contact.as_ref().unwrap().id.as_str()),
            (ThreadState::Ready, "77")
        );
        // The same message again (a re-sent echo) updates, it does not duplicate.
        let again = r.apply(&message_created(mid, "inbound", "open"));
        assert!(matches!(&again[0], Change::MessageUpdated(_)));
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
            matches!(&out[0], Change::ContactStatus { status, .. } if *status == ContactStatus::Closed)
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
            matches!(&out[0], Change::ContactStatus { status, .. } if *status == ContactStatus::Closed)
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
        assert!(matches!(
            &r.apply(&q(2))[0],
            Change::QueuePosition { position: 2, .. }
        ));
        let assigned = body(
            json!({"eventId": "a", "eventObject": "Case", "eventType": "CaseInboxAssigneeChanged", "createdAt": "2024-01-01T10:01:00+00:00",
            "data": {"brand": {"id": 1}, "channel": {"id": "c"},
                "case": {"id": "77", "threadIdOnExternalPlatform": T, "status": "open", "createdAt": "2024-01-01T10:00:00+00:00", "customFields": []},
                "inboxAssignee": {"id": 5, "firstName": "Ann", "surname": "Lee", "isBotUser": false, "isSurveyUser": false, "publicImageUrl": ""}}}),
        );
        let out = r.apply(&assigned);
        assert!(
            matches!(&out[0], Change::AgentAssigned { agent: Some(a), .. } if a.first_name == "Ann")
        );
        assert_eq!(r.get(T).unwrap().queue_position, None);
        assert!(r.apply(&q(1)).is_empty());
    }

    #[test]
    fn messages_stay_in_time_order_whatever_order_they_arrive_in() {
        let mut e = Entry::new(UuidString::parse(T).unwrap(), ThreadState::Ready);
        let m = |id: &str, at: &str| {
            ChatMessage::local(
                id,
                T,
                Direction::ToCustomer,
                crate::session::model::Delivery::Delivered,
                Timestamp::parse(at).unwrap(),
                cxone_chat_protocol::cxone::content::MessageContent::text(id),
                vec![],
            )
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
