//! The thread registry's view as the store keeps it, and back: a thread and its messages in
//! the daemon's terms (`session::model`, `session::threads`) converted to and from the store's
//! records (`store::StoredThread`, `store::StoredMessage`). Plain functions, the only place
//! that knows both sides.

use crate::session::model::ThreadState;
use crate::session::model::{Attachment, Author, ChatMessage, Contact, Delivery, Direction};
use crate::session::threads::Entry;
use crate::store::{
    KeptThread, StoredAttachment, StoredAuthor, StoredContact, StoredDelivery, StoredMessage,
    StoredThread, StoredThreadState,
};
use cxone_chat_protocol::cxone::common::UuidString;

/// A thread as stored (its messages are written on their own).
pub(crate) fn thread_record(e: &Entry) -> StoredThread {
    StoredThread {
        id: e.id.as_str().to_owned(),
        name: e.name.clone(),
        state: match e.state {
            ThreadState::Pending => StoredThreadState::Pending,
            ThreadState::Received => StoredThreadState::Received,
            ThreadState::Loaded => StoredThreadState::Loaded,
            ThreadState::Ready => StoredThreadState::Ready,
            ThreadState::Closed => StoredThreadState::Closed,
        },
        created_at: e.created_at.clone(),
        updated_at: e.updated_at.clone(),
        scroll_token: e.scroll_token.clone(),
        contact: e.contact.as_ref().map(|c| StoredContact {
            id: c.id.clone(),
            status: c.status.clone(),
        }),
        agent: e.agent.clone(),
        custom_fields: e.custom_fields.clone(),
        awaiting_welcome: e.awaiting_welcome,
        unseen_not_loaded: e.unseen_not_loaded,
    }
}

/// A message as stored.
pub(crate) fn message_record(m: &ChatMessage) -> StoredMessage {
    StoredMessage {
        id: m.id.clone(),
        from_customer: m.direction == Direction::FromCustomer,
        status: match m.status {
            Delivery::Queued => StoredDelivery::Queued,
            Delivery::Sent => StoredDelivery::Sent,
            Delivery::Delivered => StoredDelivery::Delivered,
            Delivery::Seen => StoredDelivery::Seen,
            Delivery::Read => StoredDelivery::Read,
            Delivery::Failed => StoredDelivery::Failed,
        },
        created_at: m.created_at.clone(),
        author: m.author.as_ref().map(|a| match a {
            Author::Agent(agent) => StoredAuthor::Agent {
                agent: agent.clone(),
            },
            Author::Customer {
                id,
                first_name,
                last_name,
            } => StoredAuthor::Customer {
                id: id.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
            },
        }),
        content: m.content.clone(),
        attachments: m
            .attachments
            .iter()
            .map(|a| StoredAttachment {
                url: a.url.clone(),
                file_name: a.file_name.clone(),
                mime_type: a.mime_type.clone(),
            })
            .collect(),
    }
}

/// A thread of an earlier run, as the registry restores it: known only from the store until
/// the back end mentions it. `None` when its id is not a UUID (a row written by hand).
pub(crate) fn entry(kept: KeptThread) -> Option<Entry> {
    let KeptThread {
        thread: t,
        messages,
    } = kept;
    let id = UuidString::parse(&t.id).ok()?;
    let key = id.to_lowercase();
    let mut e = Entry::new(
        id,
        match t.state {
            StoredThreadState::Pending => ThreadState::Pending,
            StoredThreadState::Received => ThreadState::Received,
            StoredThreadState::Loaded => ThreadState::Loaded,
            StoredThreadState::Ready => ThreadState::Ready,
            StoredThreadState::Closed => ThreadState::Closed,
        },
    );
    e.name = t.name;
    e.created_at = t.created_at;
    e.updated_at = t.updated_at;
    e.scroll_token = t.scroll_token;
    e.contact = t.contact.map(|c| Contact {
        id: c.id,
        status: c.status,
    });
    e.agent = t.agent;
    e.custom_fields = t.custom_fields;
    e.awaiting_welcome = t.awaiting_welcome;
    e.unseen_not_loaded = t.unseen_not_loaded;
    e.restored = true;
    for (place, m) in messages {
        e.messages.restore(place, message(&key, m));
    }
    Some(e)
}

fn message(thread_id: &str, m: StoredMessage) -> ChatMessage {
    ChatMessage {
        id: m.id.to_lowercase(),
        thread_id: thread_id.to_owned(),
        direction: if m.from_customer {
            Direction::FromCustomer
        } else {
            Direction::ToCustomer
        },
        status: match m.status {
            StoredDelivery::Queued => Delivery::Queued,
            StoredDelivery::Sent => Delivery::Sent,
            StoredDelivery::Delivered => Delivery::Delivered,
            StoredDelivery::Seen => Delivery::Seen,
            StoredDelivery::Read => Delivery::Read,
            StoredDelivery::Failed => Delivery::Failed,
        },
        created_at: m.created_at,
        author: m.author.map(|a| match a {
            StoredAuthor::Agent { agent } => Author::Agent(agent),
            StoredAuthor::Customer {
                id,
                first_name,
                last_name,
            } => Author::Customer {
                id,
                first_name,
                last_name,
            },
        }),
        content: m.content,
        attachments: m
            .attachments
            .into_iter()
            .map(|a| Attachment {
                url: a.url,
                file_name: a.file_name,
                mime_type: a.mime_type,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxone_chat_protocol::cxone::common::{Agent, ContactStatus};
    use cxone_chat_protocol::cxone::content::MessageContent;
    use cxone_chat_protocol::cxone::time::Timestamp;

    const T: &str = "3118D0DF-99AA-49E9-A115-C5B98736DEE7";

    fn agent() -> Agent {
        serde_json::from_value(
            serde_json::json!({"id": 5, "firstName": "Ann", "surname": "Lee",
            "isBotUser": false, "isSurveyUser": false, "publicImageUrl": ""}),
        )
        .unwrap()
    }

    #[test]
    fn a_thread_and_its_messages_come_back_as_they_were_less_what_is_news() {
        let mut e = Entry::new(UuidString::parse(T).unwrap(), ThreadState::Ready);
        e.name = Some("Parcel".into());
        e.contact = Some(Contact {
            id: "77".into(),
            status: ContactStatus::Open,
        });
        e.agent = Some(agent());
        e.unseen_not_loaded = 3;
        let mut from_agent = ChatMessage::local(
            "A1",
            T,
            Direction::ToCustomer,
            Delivery::Delivered,
            Timestamp::from_unix_ms_millis(2_000),
            MessageContent::text("hello"),
            vec![Attachment {
                url: "https://x/a.png".into(),
                file_name: "a.png".into(),
                mime_type: "image/png".into(),
            }],
        );
        from_agent.author = Some(Author::Agent(agent()));
        let mine = ChatMessage::local(
            "b2",
            T,
            Direction::FromCustomer,
            Delivery::Queued,
            Timestamp::from_unix_ms_millis(1_000),
            MessageContent::text("hi"),
            Vec::new(),
        );
        e.upsert(from_agent.clone());
        e.upsert(mine.clone());
        let kept = KeptThread {
            thread: thread_record(&e),
            messages: e
                .messages
                .take_changed()
                .into_iter()
                .map(|(place, m)| (place, message_record(m)))
                .collect(),
        };
        let back = entry(kept).unwrap();
        assert_eq!(back.id.as_str(), T, "the id as first written");
        assert_eq!(back.name.as_deref(), Some("Parcel"));
        assert_eq!(back.state, ThreadState::Ready);
        assert_eq!(back.contact, e.contact);
        assert_eq!(back.agent, e.agent);
        assert!(back.restored, "known only from the store");
        assert_eq!(back.unread_count(), 4, "three not loaded, one loaded");
        let ids: Vec<&str> = back.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["b2", "a1"], "in their order");
        assert_eq!(back.message("a1"), Some(&from_agent));
        assert_eq!(back.message("b2"), Some(&mine));
        let mut back = back;
        assert!(
            !back.messages.has_changes(),
            "what came from the store is not written again"
        );
        back.mark_read();
        assert_eq!(back.messages.take_changed().len(), 1, "the one read");
    }
}
