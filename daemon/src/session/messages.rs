//! A thread's messages: oldest first, unique by id, found by id in O(log n) and counted unread
//! in O(1). A thread of ten thousand messages costs each new message what the first one cost
//! (the list is a vector, so an insertion moves what follows it; messages arrive in time order,
//! so that is the end of the vector).
//!
//! A message keeps the place its first appearance gave it: a queued message shown at the time
//! it was queued stays there when the back end's echo brings the server's time, so the thread
//! shows the customer's messages in the order they were sent.

use std::collections::HashMap;
use std::ops::Deref;

use super::model::{ChatMessage, Delivery};

/// The messages of one thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct Messages {
    /// Ordered by `keys`; equal keys keep arrival order.
    list: Vec<ChatMessage>,
    /// Each message's place: its creation time in Unix ms when first seen.
    keys: Vec<i64>,
    /// Id (lowercase) → its key: where to look in `list`.
    index: HashMap<String, i64>,
    /// How many in `list` are unread.
    unread: u32,
    /// Ids of the messages added or changed since [`Messages::take_changed`] last ran, for the
    /// store (`actors/threads/known.rs`); an id may appear more than once.
    changed: Vec<String>,
}

impl Deref for Messages {
    type Target = [ChatMessage];

    fn deref(&self) -> &[ChatMessage] {
        &self.list
    }
}

impl Messages {
    /// A message by id (lowercase).
    pub(crate) fn get(&self, id: &str) -> Option<&ChatMessage> {
        let key = *self.index.get(id)?;
        self.position(id, key).map(|i| &self.list[i])
    }

    /// Adds or replaces a message; returns whether it was new.
    pub(crate) fn upsert(&mut self, message: ChatMessage) -> bool {
        if let Some(key) = self.index.get(&message.id).copied()
            && let Some(i) = self.position(&message.id, key)
        {
            self.count(self.list[i].is_unread(), -1);
            self.count(message.is_unread(), 1);
            self.changed.push(message.id.clone());
            self.list[i] = message;
            return false;
        }
        self.changed.push(message.id.clone());
        self.insert(message.created_at.unix_ms(), message);
        true
    }

    /// Puts a message not held yet at `key`, after the messages of an equal key.
    fn insert(&mut self, key: i64, message: ChatMessage) {
        let i = self.keys.partition_point(|k| *k <= key);
        self.count(message.is_unread(), 1);
        self.index.insert(message.id.clone(), key);
        self.keys.insert(i, key);
        self.list.insert(i, message);
    }

    /// Unread messages loaded here.
    pub(crate) fn unread(&self) -> u32 {
        self.unread
    }

    /// Every message the customer had not read is now read.
    pub(crate) fn mark_read(&mut self) {
        if self.unread == 0 {
            return;
        }
        for m in self.list.iter_mut().filter(|m| m.is_unread()) {
            m.status = Delivery::Read;
            self.changed.push(m.id.clone());
        }
        self.unread = 0;
    }

    /// The messages added or changed since the last call, each once, with its place (the key
    /// it is ordered by), in the order they were first changed.
    pub(crate) fn take_changed(&mut self) -> Vec<(i64, &ChatMessage)> {
        let ids = std::mem::take(&mut self.changed);
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        ids.into_iter()
            .filter(|id| seen.insert(id.clone()))
            .filter_map(|id| {
                let key = *self.index.get(&id)?;
                let i = self.position(&id, key)?;
                Some((key, &self.list[i]))
            })
            .collect()
    }

    /// Whether anything changed since [`Messages::take_changed`] last ran.
    pub(crate) fn has_changes(&self) -> bool {
        !self.changed.is_empty()
    }

    /// Adds a message read back from the store at its stored place; it is not a change.
    pub(crate) fn restore(&mut self, place: i64, message: ChatMessage) {
        if !self.index.contains_key(&message.id) {
            self.insert(place, message);
        }
    }

    fn position(&self, id: &str, key: i64) -> Option<usize> {
        let start = self.keys.partition_point(|k| *k < key);
        self.keys[start..]
            .iter()
            .take_while(|k| **k == key)
            .zip(&self.list[start..])
            .position(|(_, m)| m.id == id)
            .map(|i| start + i)
    }

    fn count(&mut self, unread: bool, sign: i32) {
        if unread {
            self.unread = self.unread.saturating_add_signed(sign);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::model::Direction;
    use cxone_chat_protocol::cxone::content::MessageContent;
    use cxone_chat_protocol::cxone::time::Timestamp;

    fn m(id: &str, at_ms: i64, direction: Direction, status: Delivery) -> ChatMessage {
        ChatMessage {
            id: id.into(),
            thread_id: "t".into(),
            direction,
            status,
            created_at: Timestamp::from_unix_ms_millis(at_ms),
            author: None,
            content: MessageContent::text(id),
            attachments: Vec::new(),
        }
    }

    fn ids(ms: &Messages) -> Vec<&str> {
        ms.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn messages_keep_time_order_and_their_first_place() {
        let mut ms = Messages::default();
        let out = |id, at| m(id, at, Direction::FromCustomer, Delivery::Queued);
        assert!(ms.upsert(out("b", 20)));
        assert!(ms.upsert(out("a", 10)));
        assert!(ms.upsert(out("c", 20)), "equal times keep arrival order");
        assert_eq!(ids(&ms), ["a", "b", "c"]);
        // The echo brings the server's (later) time: the message stays where it was.
        let mut echo = out("a", 99);
        echo.status = Delivery::Delivered;
        assert!(!ms.upsert(echo));
        assert_eq!(ids(&ms), ["a", "b", "c"]);
        assert_eq!(ms.get("a").unwrap().status, Delivery::Delivered);
        assert_eq!(ms.get("c").unwrap().id, "c");
        assert!(ms.get("zz").is_none());
    }

    #[test]
    fn unread_is_counted_as_messages_change() {
        let mut ms = Messages::default();
        let agent = |id, status| m(id, 1, Direction::ToCustomer, status);
        ms.upsert(agent("x", Delivery::Delivered));
        ms.upsert(agent("y", Delivery::Delivered));
        ms.upsert(m("z", 2, Direction::FromCustomer, Delivery::Delivered));
        assert_eq!(ms.unread(), 2);
        ms.upsert(agent("x", Delivery::Read));
        assert_eq!(ms.unread(), 1);
        ms.mark_read();
        assert_eq!(ms.unread(), 0);
        assert_eq!(ms.get("y").unwrap().status, Delivery::Read);
        assert_eq!(ms.iter().filter(|m| m.is_unread()).count(), 0);
    }
}
