//! The back end's memory: customers, threads, contacts, messages, tokens, connections, the
//! bucket, fault switches and the record of everything received. One `Backend` sits behind a
//! mutex; every handler locks it briefly, changes state, and queues frames to connections
//! without waiting (the queues are unbounded channels drained by each connection's writer).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cxone_chat_protocol::cxone::common::{Agent, Contact, ContactStatus, CustomField, UuidString};
use cxone_chat_protocol::cxone::message::Message;
use cxone_chat_protocol::cxone::time::Timestamp;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::bucket::Bucket;
use crate::config::EmulatorConfig;
use crate::faults::Faults;
use crate::record::Record;

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What a connection's writer task sends.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A text frame.
    Text(String),
    /// Close the socket with this code and reason.
    Close(u16, &'static str),
    /// Drop the TCP connection without a close frame (a simulated network failure).
    Abort,
}

/// Identifies a customer within a channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CustomerKey {
    pub brand: i64,
    pub channel: String,
    pub customer: String,
}

/// A live WebSocket connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub brand: i64,
    pub channel: String,
    pub visitor: Option<String>,
    /// Set once the connection is authorized (by `AuthorizeCustomer`, `ReconnectConsumer` or a
    /// transaction token).
    pub customer: Option<String>,
    /// The SDK session's destination id, from the last payload that carried one.
    pub destination: Option<String>,
    pub tx: mpsc::UnboundedSender<Outbound>,
}

/// A customer's server-side record.
#[derive(Debug, Default)]
pub(crate) struct Customer {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub custom_fields: Vec<CustomField>,
    /// Thread ids (lowercase), oldest first.
    pub threads: Vec<String>,
}

/// A thread with its contact and messages.
#[derive(Debug)]
pub(crate) struct ThreadRec {
    pub key: CustomerKey,
    /// The id as the client first wrote it (case preserved).
    pub id: UuidString,
    pub name: String,
    pub can_add_more: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub contact: ContactRec,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// `idOnExternalPlatform` → index in `messages`: a retried send is found without reading
    /// the whole thread (threads of thousands of messages are what soaks and benchmarks make).
    pub message_index: std::collections::HashMap<UuidString, usize>,
    /// How many of `messages` are the customer's (inbound): every message's case carries the
    /// counts, so they are kept rather than counted.
    pub inbound_count: usize,
    /// The index of the first agent (outbound) message: the case's first response time.
    pub first_outbound: Option<usize>,
}

impl ThreadRec {
    /// Stores a message at the end.
    pub(crate) fn push_message(&mut self, message: Message) {
        let at = self.messages.len();
        self.message_index
            .insert(message.id_on_external_platform.clone(), at);
        match message.direction() {
            cxone_chat_protocol::cxone::message::Direction::Inbound => self.inbound_count += 1,
            _ => {
                self.first_outbound.get_or_insert(at);
            }
        }
        self.messages.push(message);
    }

    /// A stored message by its `idOnExternalPlatform`.
    pub(crate) fn message_by_id(&self, id: &UuidString) -> Option<&Message> {
        self.message_index.get(id).map(|&i| &self.messages[i])
    }
}

/// The contact (case) of a thread.
#[derive(Debug)]
pub(crate) struct ContactRec {
    pub id: String,
    pub status: ContactStatus,
    pub created_ms: i64,
    pub status_ms: i64,
    pub custom_fields: Vec<CustomField>,
    pub assignee: Option<Agent>,
    pub previous_assignee: Option<Agent>,
    pub queue_position: Option<i64>,
    pub transcripts_sent_to: Vec<String>,
}

impl ThreadRec {
    /// The contact in the wire shape.
    pub(crate) fn contact_wire(&self) -> Contact {
        let mut c = Contact::new(
            self.contact.id.clone(),
            self.id.clone(),
            self.contact.status.clone(),
            Timestamp::from_unix_ms_seconds(self.contact.created_ms),
        );
        c.status_updated_at = Some(Timestamp::from_unix_ms_seconds(self.contact.status_ms));
        c.custom_fields = self.contact.custom_fields.clone();
        c
    }

    /// Whether the thread still accepts messages.
    pub(crate) fn is_open(&self) -> bool {
        self.can_add_more && self.contact.status != ContactStatus::Closed
    }
}

/// A token the emulator issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub key: CustomerKey,
    pub kind: TokenKind,
    pub expires: Instant,
}

/// What a token is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Legacy OAuth access token (`ConsumerAuthorized`, `TokenRefreshed`).
    Access,
    /// Transaction token for the WebSocket handshake.
    Transaction,
    /// Third-party (IdP) access token.
    ThirdPartyAccess,
    /// Third-party refresh token.
    ThirdPartyRefresh,
}

/// The whole back end.
#[derive(Debug)]
pub(crate) struct Backend {
    pub config: Arc<EmulatorConfig>,
    /// `http://127.0.0.1:PORT`, for URLs the emulator hands out.
    pub base_url: String,
    pub customers: HashMap<CustomerKey, Customer>,
    pub threads: HashMap<String, ThreadRec>,
    pub tokens: HashMap<String, IssuedToken>,
    /// Authorization codes already exchanged (they are single-use).
    pub used_codes: std::collections::HashSet<String>,
    pub conns: HashMap<u64, Conn>,
    next_conn: u64,
    next_contact: u64,
    pub bucket: Bucket,
    pub faults: Faults,
    pub records: Vec<Record>,
    /// Uploaded attachments: path → (mime type, bytes).
    pub files: HashMap<String, (String, Vec<u8>)>,
}

impl Backend {
    pub(crate) fn new(config: Arc<EmulatorConfig>, base_url: String) -> Self {
        Self {
            config,
            base_url,
            customers: HashMap::new(),
            threads: HashMap::new(),
            tokens: HashMap::new(),
            used_codes: Default::default(),
            conns: HashMap::new(),
            next_conn: 1,
            next_contact: 6_098_000,
            bucket: Bucket::default(),
            faults: Faults::default(),
            records: Vec::new(),
            files: HashMap::new(),
        }
    }

    /// Forgets every customer, thread, token, file, record and fault, keeping the
    /// configuration and the open connections (which lose their authorization). Connection ids
    /// keep counting, so a socket opened after a reset never reuses the id of one still open.
    pub(crate) fn reset(&mut self) {
        let fresh = Backend::new(self.config.clone(), self.base_url.clone());
        let conns = std::mem::take(&mut self.conns);
        let next_conn = self.next_conn;
        *self = fresh;
        self.next_conn = next_conn;
        for (id, mut c) in conns {
            c.customer = None;
            self.conns.insert(id, c);
        }
    }

    pub(crate) fn add_conn(&mut self, conn: Conn) -> u64 {
        let id = self.next_conn;
        self.next_conn += 1;
        self.conns.insert(id, conn);
        id
    }

    pub(crate) fn next_contact_id(&mut self) -> String {
        self.next_contact += 1;
        self.next_contact.to_string()
    }

    /// Mints a token for `key`.
    pub(crate) fn issue_token(
        &mut self,
        key: CustomerKey,
        kind: TokenKind,
        ttl_secs: u64,
    ) -> String {
        let prefix = match kind {
            TokenKind::Access => "emu-access",
            TokenKind::Transaction => "emu-transaction",
            TokenKind::ThirdPartyAccess => "emu-idp-access",
            TokenKind::ThirdPartyRefresh => "emu-idp-refresh",
        };
        let token = format!("{prefix}.{}", uuid::Uuid::new_v4().simple());
        let expires = Instant::now() + Duration::from_secs(ttl_secs);
        self.tokens
            .insert(token.clone(), IssuedToken { key, kind, expires });
        token
    }

    /// The customer a valid, unexpired token of `kind` belongs to.
    pub(crate) fn check_token(&self, token: &str, kind: TokenKind) -> Option<&CustomerKey> {
        let t = self.tokens.get(token)?;
        (t.kind == kind && t.expires > Instant::now()).then_some(&t.key)
    }

    /// The thread with this id (compared case-insensitively, as the real back end does).
    pub(crate) fn thread(&self, id: &UuidString) -> Option<&ThreadRec> {
        self.threads.get(&id.to_lowercase())
    }

    pub(crate) fn thread_mut(&mut self, id: &UuidString) -> Option<&mut ThreadRec> {
        self.threads.get_mut(&id.to_lowercase())
    }

    /// The customer's newest thread in the channel.
    pub(crate) fn latest_thread(&self, key: &CustomerKey) -> Option<&ThreadRec> {
        let c = self.customers.get(key)?;
        c.threads.iter().rev().find_map(|id| self.threads.get(id))
    }

    /// The connections a customer is authorized on.
    pub(crate) fn customer_conns(&self, key: &CustomerKey) -> Vec<u64> {
        self.conns
            .iter()
            .filter(|(_, c)| {
                c.brand == key.brand
                    && c.channel == key.channel
                    && c.customer.as_deref() == Some(&key.customer)
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Sends raw text to a connection (malformed-frame faults use it directly).
    pub(crate) fn send_text(&mut self, conn: u64, text: String) -> bool {
        match self.conns.get(&conn) {
            Some(c) => c.tx.send(Outbound::Text(text)).is_ok(),
            None => false,
        }
    }

    /// Appends to the record of what was received.
    pub(crate) fn record(&mut self, r: Record) {
        // Bounded so that a long-running sandbox does not grow without limit.
        const MAX_RECORDS: usize = 100_000;
        if self.records.len() >= MAX_RECORDS {
            self.records.drain(..MAX_RECORDS / 10);
        }
        self.records.push(r);
    }

    /// Customer custom fields, merged by ident (new values win).
    pub(crate) fn merge_customer_fields(&mut self, key: &CustomerKey, fields: &[CustomField]) {
        let c = self.customers.entry(key.clone()).or_default();
        merge_fields(&mut c.custom_fields, fields);
    }
}

/// Merges custom fields by ident; later values replace earlier ones.
pub(crate) fn merge_fields(into: &mut Vec<CustomField>, fields: &[CustomField]) {
    for f in fields {
        match into.iter_mut().find(|x| x.ident == f.ident) {
            Some(x) => *x = f.clone(),
            None => into.push(f.clone()),
        }
    }
}

/// The JSON of a value that is known to serialize.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("emulator types serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_keeps_connections_and_never_reuses_their_ids() {
        let mut b = Backend::new(
            Arc::new(EmulatorConfig::default()),
            "http://127.0.0.1:1".into(),
        );
        let conn = |customer: Option<&str>| {
            let (tx, _rx) = mpsc::unbounded_channel();
            Conn {
                brand: 1000,
                channel: "chat_single".into(),
                visitor: None,
                customer: customer.map(str::to_owned),
                destination: None,
                tx,
            }
        };
        let first = b.add_conn(conn(Some("alice")));
        b.customers.insert(
            CustomerKey {
                brand: 1000,
                channel: "chat_single".into(),
                customer: "alice".into(),
            },
            Customer::default(),
        );
        b.reset();
        assert!(b.customers.is_empty());
        assert_eq!(
            b.conns[&first].customer, None,
            "kept, but no longer authorized"
        );
        let second = b.add_conn(conn(None));
        assert_ne!(first, second);
        assert_eq!(b.conns.len(), 2);
    }
}
