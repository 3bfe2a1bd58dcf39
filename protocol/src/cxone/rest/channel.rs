//! Channel configuration (`GET {chatURL}/1.0/brand/{brandId}/channel/{channelId}`) and live-chat
//! availability (`GET …/availability`), PROTOCOL.md §1.3, §1.4.
//!
//! Required fields follow the crate rule (see [`common`](crate::cxone::common)) with one
//! deliberate relaxation: the 2022 configuration captured in `ios/loadConfigResponse.json`
//! lacks `isAuthorizationEnabled`, `settings.isProactiveChatEnabled` and
//! `settings.fileRestrictions`, so those are optional and read as "off" when absent — an
//! older back end must not make the client unusable. What is still required is what no
//! configuration has ever lacked: `isLiveChat`, `settings`,
//! `settings.hasMultipleThreadsPerEndUser` and `settings.features`. Optional keys stay
//! `Option`s rather than defaulted values so that re-encoding never adds a key the document
//! did not have.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::prechat::PreContactForm;

/// Names of the feature toggles the SDKs read (`settings.features`).
pub mod features {
    /// Secured sessions: transaction tokens from `/oauth/token` (§1.8).
    pub const SECURED_SESSIONS: &str = "securedSessions";
    /// When on, `RecoveringLivechatFailed` is a real error rather than "no live chat yet".
    pub const IS_RECOVER_LIVECHAT_DOES_NOT_FAIL_ENABLED: &str =
        "isRecoverLivechatDoesNotFailEnabled";
    /// Hide the live-chat logo.
    pub const LIVE_CHAT_LOGO_HIDDEN: &str = "liveChatLogoHidden";
    /// Proactive chat.
    pub const IS_PROACTIVE_CHAT_ENABLED: &str = "isProactiveChatEnabled";
}

/// The channel configuration response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelConfiguration {
    /// `settings`.
    pub settings: ChannelSettings,
    /// Live chat (takes precedence over the thread settings).
    pub is_live_chat: bool,
    /// The channel uses third-party OAuth login. Absent in 2022 configurations; see
    /// [`ChannelConfiguration::authorization_enabled`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_authorization_enabled: Option<bool>,
    /// Secured-cookie authentication (iOS treats absence as `false`; Android requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_secured_cookie_enabled: Option<bool>,
    /// Initial live-chat availability (Android requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// Pre-chat survey; absent or `null` when none is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_contact_form: Option<PreContactForm>,
}

/// `settings` of the channel configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSettings {
    /// Multi-thread mode when not live chat.
    pub has_multiple_threads_per_end_user: bool,
    /// Informational. Absent in 2022 configurations (read as `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_proactive_chat_enabled: Option<bool>,
    /// "Send transcript" is allowed; see [`ChannelSettings::transcript_allowed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_chat_allow_transcript: Option<bool>,
    /// Whether the web chat shows the offline form while no agent is available (web SDK
    /// `liveChatShowOfflineForm`; the mobile SDKs do not read it). Absent: no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_chat_show_offline_form: Option<bool>,
    /// Mirror of `features.securedSessions`; Android requires it, nobody reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secured_sessions: Option<bool>,
    /// Attachment limits. Absent in 2022 configurations (→ attachments unavailable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_restrictions: Option<FileRestrictions>,
    /// Feature toggles; see [`ChannelSettings::feature`].
    pub features: BTreeMap<String, bool>,
}

impl ChannelSettings {
    /// Whether feature `name` is on. **An absent feature counts as enabled** (both SDKs).
    pub fn feature(&self, name: &str) -> bool {
        self.features.get(name).copied().unwrap_or(true)
    }

    /// Whether "send transcript" is allowed (`liveChatAllowTranscript`; absent: no, as iOS).
    pub fn transcript_allowed(&self) -> bool {
        self.live_chat_allow_transcript == Some(true)
    }

    /// Whether the channel offers the offline form (`liveChatShowOfflineForm`; absent: no).
    pub fn offline_form_shown(&self) -> bool {
        self.live_chat_show_offline_form == Some(true)
    }

    /// Whether proactive chat is on (`isProactiveChatEnabled`; absent: no).
    pub fn proactive_chat_enabled(&self) -> bool {
        self.is_proactive_chat_enabled == Some(true)
    }
}

/// `settings.fileRestrictions`, also the body of an attachment-upload rejection (§1.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRestrictions {
    /// Maximum file size in megabytes. A string on the wire (`"40"`, which iOS insists on);
    /// a JSON number is accepted too and re-encoded as a string.
    #[serde(
        deserialize_with = "megabytes_from_string_or_number",
        serialize_with = "megabytes_as_string"
    )]
    pub allowed_file_size: u64,
    /// Allowed MIME types, possibly with `type/*` wildcards and malformed entries.
    pub allowed_file_types: Vec<AllowedFileType>,
    /// Attachments are allowed at all.
    pub is_attachments_enabled: bool,
}

/// One entry of `allowedFileTypes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedFileType {
    /// `type/subtype` or `type/*` (real configurations also contain malformed values like `audio`).
    #[serde(rename = "mimeType")]
    pub mime_type: String,
    /// Human-readable description.
    pub description: String,
}

/// Why a file may not be uploaded (client-side validation before `POST …/attachment`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    /// `isAttachmentsEnabled` is false (or the configuration has no file restrictions).
    #[error("attachments are disabled for this channel")]
    AttachmentsDisabled,
    /// Larger than `allowedFileSize`.
    #[error("file of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// File size in bytes.
        size: u64,
        /// Limit in bytes.
        limit: u64,
    },
    /// Not matched by any allowed MIME type.
    #[error("file type {0:?} is not allowed")]
    TypeNotAllowed(String),
}

impl FileRestrictions {
    /// The size limit in bytes (`allowedFileSize` × 1024 × 1024, as both SDKs compute it).
    pub fn allowed_file_size_bytes(&self) -> u64 {
        self.allowed_file_size.saturating_mul(1024 * 1024)
    }

    /// The well-formed entries: `type/subtype` with both parts non-empty. Android drops the
    /// others (the real configuration lists `"audio"`), and so do the checks here.
    pub fn valid_file_types(&self) -> impl Iterator<Item = &AllowedFileType> {
        self.allowed_file_types
            .iter()
            .filter(|t| t.is_well_formed())
    }

    /// Whether a file of type `mime_type` may be uploaded (wildcards honoured, case ignored,
    /// parameters such as `; charset=utf-8` ignored).
    pub fn allows_mime_type(&self, mime_type: &str) -> bool {
        self.valid_file_types().any(|t| t.matches(mime_type))
    }

    /// The checks both SDKs run before uploading, in their order: enabled, size, type.
    pub fn check_upload(&self, size_bytes: u64, mime_type: &str) -> Result<(), UploadRefusal> {
        if !self.is_attachments_enabled {
            return Err(UploadRefusal::AttachmentsDisabled);
        }
        let limit = self.allowed_file_size_bytes();
        if size_bytes > limit {
            return Err(UploadRefusal::TooLarge {
                size: size_bytes,
                limit,
            });
        }
        if !self.allows_mime_type(mime_type) {
            return Err(UploadRefusal::TypeNotAllowed(mime_type.to_owned()));
        }
        Ok(())
    }
}

impl AllowedFileType {
    /// `type/subtype` with exactly one slash and both parts non-empty.
    pub fn is_well_formed(&self) -> bool {
        split_mime(&self.mime_type).is_some()
    }

    /// Whether `mime_type` falls under this entry (`image/*` matches `image/png`; `*/*` matches
    /// everything). A malformed entry matches nothing.
    pub fn matches(&self, mime_type: &str) -> bool {
        let (Some((kind, sub)), Some((want_kind, want_sub))) =
            (split_mime(&self.mime_type), split_mime(mime_type))
        else {
            return false;
        };
        let part =
            |allowed: &str, wanted: &str| allowed == "*" || allowed.eq_ignore_ascii_case(wanted);
        part(kind, want_kind) && part(sub, want_sub)
    }
}

/// `("type", "subtype")` of a MIME type, without parameters; `None` when malformed.
fn split_mime(mime_type: &str) -> Option<(&str, &str)> {
    let essence = mime_type.split(';').next().unwrap_or_default().trim();
    let (kind, sub) = essence.split_once('/')?;
    (!kind.is_empty() && !sub.is_empty() && !sub.contains('/')).then_some((kind, sub))
}

fn megabytes_as_string<S: Serializer>(megabytes: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(megabytes)
}

fn megabytes_from_string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<u64, D::Error> {
    struct Megabytes;

    impl Visitor<'_> for Megabytes {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number of megabytes, as a string like \"40\" or a number")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            // 40.0 is a whole number; 40.5 or -1.0 is not.
            if v.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&v) {
                Ok(v as u64)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
    }

    deserializer.deserialize_any(Megabytes)
}

/// How the channel organises conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatMode {
    /// One thread per customer, recovered with `RecoverThread`.
    SingleThread,
    /// Many threads per customer, listed with `FetchThreadList`.
    MultiThread,
    /// Live chat with an agent queue, recovered with `RecoverLivechat`.
    LiveChat,
}

/// How the customer is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthenticationType {
    /// Identity in an HTTP-only cookie of the OAuth host.
    SecuredCookie,
    /// The host app's identity provider (authorization code + PKCE).
    ThirdPartyOAuth,
    /// A client-minted customer id.
    Anonymous,
}

impl ChannelConfiguration {
    /// The minimum faithful configuration of PROTOCOL.md §7 for `mode` and `authentication`:
    /// features `securedSessions` and `isRecoverLivechatDoesNotFailEnabled` explicitly off
    /// (absent would mean on), attachments enabled up to `"40"` MB for images, videos, audio
    /// and PDF, availability online, no pre-chat survey.
    pub fn new(mode: ChatMode, authentication: AuthenticationType) -> Self {
        let file_type = |mime: &str, description: &str| AllowedFileType {
            mime_type: mime.to_owned(),
            description: description.to_owned(),
        };
        let features = [
            (features::SECURED_SESSIONS, false),
            (features::IS_RECOVER_LIVECHAT_DOES_NOT_FAIL_ENABLED, false),
        ]
        .into_iter()
        .map(|(name, on)| (name.to_owned(), on))
        .collect();
        Self {
            settings: ChannelSettings {
                has_multiple_threads_per_end_user: mode == ChatMode::MultiThread,
                is_proactive_chat_enabled: Some(false),
                live_chat_allow_transcript: Some(false),
                live_chat_show_offline_form: None,
                secured_sessions: Some(false),
                file_restrictions: Some(FileRestrictions {
                    allowed_file_size: 40,
                    allowed_file_types: vec![
                        file_type("image/*", "images"),
                        file_type("video/*", "videos"),
                        file_type("audio/*", "audio files"),
                        file_type("application/pdf", ".pdf"),
                    ],
                    is_attachments_enabled: true,
                }),
                features,
            },
            is_live_chat: mode == ChatMode::LiveChat,
            is_authorization_enabled: Some(authentication == AuthenticationType::ThirdPartyOAuth),
            is_secured_cookie_enabled: Some(authentication == AuthenticationType::SecuredCookie),
            availability: Some(Availability {
                status: AvailabilityStatus::Online,
            }),
            pre_contact_form: None,
        }
    }

    /// Live chat if `isLiveChat`, else multi-thread if `hasMultipleThreadsPerEndUser`, else
    /// single-thread (identical on iOS and Android).
    pub fn chat_mode(&self) -> ChatMode {
        if self.is_live_chat {
            ChatMode::LiveChat
        } else if self.settings.has_multiple_threads_per_end_user {
            ChatMode::MultiThread
        } else {
            ChatMode::SingleThread
        }
    }

    /// Secured cookie if `isSecuredCookieEnabled`, else third-party OAuth if
    /// `isAuthorizationEnabled`, else anonymous (identical on iOS and Android).
    pub fn authentication_type(&self) -> AuthenticationType {
        if self.is_secured_cookie_enabled == Some(true) {
            AuthenticationType::SecuredCookie
        } else if self.authorization_enabled() {
            AuthenticationType::ThirdPartyOAuth
        } else {
            AuthenticationType::Anonymous
        }
    }

    /// Whether the channel uses third-party OAuth login (`isAuthorizationEnabled`; absent: no).
    pub fn authorization_enabled(&self) -> bool {
        self.is_authorization_enabled == Some(true)
    }

    /// Whether feature `name` is on; **absent means on** (both SDKs).
    pub fn feature(&self, name: &str) -> bool {
        self.settings.feature(name)
    }

    /// Whether the secured-session flow (transaction tokens, §1.8) is used: feature
    /// `securedSessions` true or absent. `settings.securedSessions` is not consulted — neither
    /// SDK does.
    pub fn secured_sessions_enabled(&self) -> bool {
        self.feature(features::SECURED_SESSIONS)
    }

    /// Whether attachments can be sent at all.
    pub fn attachments_enabled(&self) -> bool {
        self.settings
            .file_restrictions
            .as_ref()
            .is_some_and(|r| r.is_attachments_enabled)
    }

    /// The attachment size limit in bytes, when the configuration has file restrictions.
    pub fn allowed_file_size_bytes(&self) -> Option<u64> {
        self.settings
            .file_restrictions
            .as_ref()
            .map(FileRestrictions::allowed_file_size_bytes)
    }

    /// Whether a file of type `mime_type` may be uploaded (see [`FileRestrictions::allows_mime_type`]).
    pub fn allows_mime_type(&self, mime_type: &str) -> bool {
        self.settings
            .file_restrictions
            .as_ref()
            .is_some_and(|r| r.allows_mime_type(mime_type))
    }

    /// Whether the channel was online when the configuration was served, if it says.
    pub fn is_online(&self) -> Option<bool> {
        self.availability.as_ref().map(Availability::is_online)
    }

    /// The pre-chat survey to show on `channel_id`: the form, if it applies to that channel
    /// and has at least one field of a known type (see [`PreContactForm::applies_to`]).
    pub fn pre_chat_form(&self, channel_id: &str) -> Option<&PreContactForm> {
        self.pre_contact_form
            .as_ref()
            .filter(|form| form.applies_to(channel_id) && form.has_known_fields())
    }
}

/// `{ "status": "online" | "offline" }` — the availability response and `availability` of the
/// configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// The status.
    pub status: AvailabilityStatus,
}

impl Availability {
    /// Whether the status is `online`.
    pub fn is_online(&self) -> bool {
        self.status == AvailabilityStatus::Online
    }
}

/// Live-chat availability. Anything but `online` counts as offline (iOS); unknown values are
/// kept rather than rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvailabilityStatus {
    /// `online`
    Online,
    /// `offline`
    Offline,
    /// Any other value, as received.
    Other(String),
}

impl AvailabilityStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Other(s) => s,
        }
    }
}

impl Serialize for AvailabilityStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AvailabilityStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let status = String::deserialize(deserializer)?;
        Ok(match status.as_str() {
            "online" => Self::Online,
            "offline" => Self::Offline,
            _ => Self::Other(status),
        })
    }
}
