//! Objects that appear inside many CXone events: ids, references, identities, custom fields,
//! agents, contacts (cases) and threads (PROTOCOL.md §6).
//!
//! Decoding rule for the whole `cxone` module: a field is required when iOS requires it (iOS
//! drops the whole event otherwise) or when both SDKs require it; a field only Android requires
//! is optional, because a faithful client must not be stricter than the most tolerant SDK that
//! still works. Unknown fields are ignored everywhere.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::time::Timestamp;

/// A UUID-shaped identifier kept exactly as written (case-preserving, since older iOS clients
/// minted uppercase thread ids and the server stores ids as given) but compared
/// case-insensitively, as the back end does. Thread and message ids must be UUIDs: both SDKs
/// parse them as such and drop events where they are not.
#[derive(Clone)]
pub struct UuidString(String);

/// Why an id is not UUID-shaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a UUID (expected 8-4-4-4-12 hex digits)")]
pub struct NotUuid(String);

impl UuidString {
    /// Accepts the hyphenated 8-4-4-4-12 form in either case.
    pub fn parse(text: &str) -> Result<Self, NotUuid> {
        // `try_parse` also accepts the simple, braced and urn forms; the SDKs do not.
        let hyphenated = text.len() == 36 && text.as_bytes()[8] == b'-';
        match uuid::Uuid::try_parse(text) {
            Ok(_) if hyphenated => Ok(Self(text.to_owned())),
            _ => Err(NotUuid(text.to_owned())),
        }
    }

    /// A new random (v4) id in the lowercase form the SDKs send.
    pub fn new_v4() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical lowercase form, for use as a map key or in comparisons with other sources.
    pub fn to_lowercase(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl PartialEq for UuidString {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for UuidString {}
impl Hash for UuidString {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}
impl fmt::Debug for UuidString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
impl fmt::Display for UuidString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl Serialize for UuidString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for UuidString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        UuidString::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `{ "id": 1386 }` — the brand (tenant) reference. Brand ids are integers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandRef {
    /// The brand id.
    pub id: i64,
}

/// `{ "id": "…" }` — a reference by string id: channel, visitor, destination, contact, routing
/// queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    /// The referenced id.
    pub id: String,
}

impl IdRef {
    /// A reference to `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

/// The customer as the back end knows them: `customerIdentity` / `consumerIdentity` on sent
/// events, `consumerIdentity` in `ConsumerAuthorized`, `authorEndUserIdentity` on messages.
/// Customer ids are not UUIDs in general (OAuth identities are opaque strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerIdentity {
    /// The customer id.
    pub id_on_external_platform: String,
    /// First name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Avatar URL (web, and on received message authors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl CustomerIdentity {
    /// An identity with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id_on_external_platform: id.into(),
            first_name: None,
            last_name: None,
            image: None,
        }
    }
}

/// `{ "ident": "age", "value": "24", "updatedAt": "…" }`. `updatedAt` is optional because real
/// handover payloads omit it (fixture `ProActiveActionCustomPopupWithEmtyVariables.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    /// Field identifier (sometimes prefixed, e.g. `customer.customFields.age`).
    pub ident: String,
    /// The value; list and tree fields carry the option identifier, not its label.
    pub value: String,
    /// When the value was last set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// `{ "customFields": [...] }`, the shape of `customer` and `contact` wrappers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFields {
    /// The fields.
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
}

/// An agent (CXone "user"), PROTOCOL.md §6.2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// Numeric user id.
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Surname.
    pub surname: String,
    /// Nickname, often empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Whether the "agent" is a bot.
    pub is_bot_user: bool,
    /// Whether the "agent" is a satisfaction-survey user.
    pub is_survey_user: bool,
    /// Avatar URL (may be empty). Both SDKs require it today; 2022 servers sent only
    /// `imageUrl`, so it is optional and [`Agent::avatar_url`] falls back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_image_url: Option<String>,
    /// The older avatar key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

impl Agent {
    /// The avatar URL, if any.
    pub fn avatar_url(&self) -> Option<&str> {
        self.public_image_url
            .as_deref()
            .or(self.image_url.as_deref())
            .filter(|u| !u.is_empty())
    }

    /// "First Surname", or the nickname when set.
    pub fn display_name(&self) -> String {
        match self.nickname.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(n) => n.to_owned(),
            None => format!("{} {}", self.first_name, self.surname)
                .trim()
                .to_owned(),
        }
    }
}

/// Contact (case) status. Unknown values are kept (iOS maps them to `unknown`; being as tolerant
/// as the most tolerant SDK keeps an unexpected status from dropping a whole recovery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactStatus {
    /// `new`
    New,
    /// `open`
    Open,
    /// `pending`
    Pending,
    /// `escalated`
    Escalated,
    /// `resolved`
    Resolved,
    /// `closed`
    Closed,
    /// `trashed` (known to Android)
    Trashed,
    /// Any other value, as received.
    Other(String),
}

impl ContactStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::New => "new",
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Escalated => "escalated",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Trashed => "trashed",
            Self::Other(s) => s,
        }
    }

    fn from_wire(s: String) -> Self {
        match s.as_str() {
            "new" => Self::New,
            "open" => Self::Open,
            "pending" => Self::Pending,
            "escalated" => Self::Escalated,
            "resolved" => Self::Resolved,
            "closed" => Self::Closed,
            "trashed" => Self::Trashed,
            _ => Self::Other(s),
        }
    }
}

impl Serialize for ContactStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for ContactStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_wire(String::deserialize(d)?))
    }
}

/// A contact (case), PROTOCOL.md §6.3: `contact` / `consumerContact` in recoveries, `case` in
/// pushes. The id is numeric text.
///
/// 2022 servers wrote the id as `caseId` and left the thread id inside the composite `threadId`
/// or `postId` (`chat_<channel>_<thread uuid>`); both shapes decode, and decoding fails unless an
/// id and a UUID thread id can be found. Use [`Contact::id`] and [`Contact::thread_id`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", remote = "Self")]
pub struct Contact {
    /// Contact id (string of digits); see [`Contact::id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The 2022 spelling of the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The thread the contact belongs to; see [`Contact::thread_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id_on_external_platform: Option<UuidString>,
    /// Composite server thread id `chat_<channel>_<thread uuid>` (2022 servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Composite post id `chat_<channel>_<thread uuid>` (2022 servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// Case status.
    pub status: ContactStatus,
    /// When the contact was created (iOS requires it today; 2022 pushes omitted it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the status last changed (Android requires it on `CaseStatusChanged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_updated_at: Option<Timestamp>,
    /// Contact custom fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomField>,
}

impl Contact {
    /// A contact in the current wire shape.
    pub fn new(
        id: impl Into<String>,
        thread: UuidString,
        status: ContactStatus,
        created_at: Timestamp,
    ) -> Self {
        Self {
            id: Some(id.into()),
            case_id: None,
            thread_id_on_external_platform: Some(thread),
            thread_id: None,
            post_id: None,
            status,
            created_at: Some(created_at),
            status_updated_at: None,
            custom_fields: Vec::new(),
        }
    }

    /// The contact id, whichever key carried it (validated at decode time).
    pub fn id(&self) -> &str {
        self.id
            .as_deref()
            .or(self.case_id.as_deref())
            .unwrap_or_default()
    }

    /// The thread id, explicit or derived from the composite ids (validated at decode time).
    pub fn thread_id(&self) -> Option<UuidString> {
        derive_thread_id(
            self.thread_id_on_external_platform.as_ref(),
            &[self.thread_id.as_deref(), self.post_id.as_deref()],
        )
    }
}

impl Serialize for Contact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Contact::serialize(self, s)
    }
}
impl<'de> Deserialize<'de> for Contact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let c = Contact::deserialize(d)?;
        if c.id.is_none() && c.case_id.is_none() {
            return Err(D::Error::custom("missing field `id`"));
        }
        if c.thread_id().is_none() {
            return Err(D::Error::custom(
                "missing field `threadIdOnExternalPlatform` (and no UUID in `threadId` or `postId`)",
            ));
        }
        Ok(c)
    }
}

/// The thread UUID of an object: `explicit` when present, else the UUID suffix of the first
/// composite id (`chat_<channel>_<thread uuid>`) that has one.
pub(crate) fn derive_thread_id(
    explicit: Option<&UuidString>,
    composite: &[Option<&str>],
) -> Option<UuidString> {
    explicit.cloned().or_else(|| {
        composite.iter().flatten().find_map(|c| {
            c.rsplit_once('_')
                .and_then(|(_, tail)| UuidString::parse(tail).ok())
        })
    })
}

/// A thread as the back end describes it (PROTOCOL.md §6.4): in recoveries, thread lists and
/// typing events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// Server-side id (`chat_<channel>_<thread>` style); Android requires it, iOS does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The client-minted thread id.
    pub id_on_external_platform: UuidString,
    /// Channel id.
    pub channel_id: String,
    /// Thread name (empty when unnamed).
    pub thread_name: String,
    /// `false` once the thread is archived or closed.
    pub can_add_more_messages: bool,
    /// Creation time. Not read by the SDKs, so a malformed value is dropped, not fatal.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_timestamp"
    )]
    pub created_at: Option<Timestamp>,
    /// Last update time; real captures contain malformed ones (`…+0,0:00`), hence lenient.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_timestamp"
    )]
    pub updated_at: Option<Timestamp>,
    /// Unseen message count (thread lists only). In the recorded list (fixture
    /// `ios/ThreadListFetchedEvent.json`: 7, 7, 0) it equals the agents' side,
    /// `unseenByUserMessagesCount`; the customer's is `unseenByEndUserMessagesCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen_messages_count: Option<u64>,
    /// Customer messages no agent has read yet (thread lists only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen_by_user_messages_count: Option<u64>,
    /// Agent messages the customer has not seen yet (thread lists only): a thread's unread count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen_by_end_user_messages_count: Option<u64>,
}

/// A timestamp on a field no SDK reads: kept when valid, dropped when not, so that one
/// malformed informational date cannot make a whole recovery undecodable.
pub(crate) fn lenient_timestamp<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Timestamp>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .and_then(|v| v.as_str().and_then(|s| Timestamp::parse(s).ok())))
}

/// `{ "idOnExternalPlatform": "…", "threadName": "…" }` — the thread reference carried by
/// `MessageCreated` and by most sent events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadRef {
    /// The thread id.
    pub id_on_external_platform: UuidString,
    /// Thread name, when the sender includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_name: Option<String>,
}

impl ThreadRef {
    /// A reference to `id` without a name.
    pub fn new(id: UuidString) -> Self {
        Self {
            id_on_external_platform: id,
            thread_name: None,
        }
    }
}

/// `{ "token": "…", "expiresIn": 3600 }` — the legacy OAuth access token
/// (`ConsumerAuthorized`, `TokenRefreshed`), and with only `token` on sent events.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// The bearer token.
    pub token: String,
    /// Lifetime in seconds from receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    /// Optional creation time (iOS reads it when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_date: Option<Timestamp>,
}

/// Tokens never appear in debug output: they would end up in logs.
impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_strings_keep_their_case_and_compare_case_insensitively() {
        let upper = UuidString::parse("AD342920-C75E-4B06-B973-00494CC811B7").unwrap();
        let lower = UuidString::parse("ad342920-c75e-4b06-b973-00494cc811b7").unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.as_str(), "AD342920-C75E-4B06-B973-00494CC811B7");
        let mut set = std::collections::HashSet::new();
        set.insert(upper);
        assert!(set.contains(&lower));
    }

    #[test]
    fn non_uuid_thread_ids_are_rejected() {
        for bad in [
            "String",
            "",
            "ad342920c75e4b06b97300494cc811b7",
            "{ad342920-c75e-4b06-b973-00494cc811b7}",
        ] {
            assert!(UuidString::parse(bad).is_err(), "{bad:?}");
        }
        let err = serde_json::from_str::<UuidString>("\"String\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a UUID"), "{err}");
    }

    #[test]
    fn unknown_contact_statuses_survive_a_round_trip() {
        let s: ContactStatus = serde_json::from_str("\"onHold\"").unwrap();
        assert_eq!(s, ContactStatus::Other("onHold".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"onHold\"");
        let c: ContactStatus = serde_json::from_str("\"closed\"").unwrap();
        assert_eq!(c, ContactStatus::Closed);
    }

    #[test]
    fn access_tokens_are_redacted_in_debug_output() {
        let t = AccessToken {
            token: "Atza|secret".into(),
            expires_in: Some(3600),
            current_date: None,
        };
        assert!(!format!("{t:?}").contains("secret"));
    }
}
