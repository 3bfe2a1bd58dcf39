//! What the emulated back end serves: brands, their channels, and how each channel's simulated
//! agent behaves. Brand `1000` with six channels is built in; a TOML file adds or replaces
//! channels (see `emulator/README.md` for the format).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

/// The whole emulator configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmulatorConfig {
    /// Server → client frames larger than this many bytes go through the bucket as `EventInS3`.
    pub large_event_threshold: usize,
    /// Lifetime of transaction tokens from `/oauth/token`, in seconds.
    pub transaction_token_ttl_secs: u64,
    /// Lifetime of legacy OAuth access tokens and third-party access tokens, in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of pre-signed bucket URLs, in seconds.
    pub bucket_url_ttl_secs: u64,
    /// Brands by id.
    pub brands: BTreeMap<i64, BrandConfig>,
}

/// One brand (tenant).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandConfig {
    /// Channels by id.
    pub channels: BTreeMap<String, ChannelConfig>,
}

/// Chat mode of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One thread per customer.
    Single,
    /// Many threads per customer.
    Multi,
    /// Live chat: one thread, a queue, an agent.
    Live,
}

/// How customers authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// No login: the client's own customer id.
    Anonymous,
    /// Third-party OAuth: authorization code + PKCE verifier.
    Oauth,
    /// Identity from an HTTP-only cookie of the token endpoint.
    SecuredCookie,
}

/// One channel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChannelConfig {
    /// Display name.
    pub name: String,
    /// Chat mode.
    pub mode: Mode,
    /// Authentication type.
    pub auth: Auth,
    /// Secured sessions: the socket is authenticated with a transaction token.
    pub secured_sessions: bool,
    /// Live-chat availability.
    pub online: bool,
    /// Transcripts by e-mail allowed.
    pub transcript: bool,
    /// The offline form is offered while no agent is available (`liveChatShowOfflineForm`);
    /// when off, `SendOfflineMessage` is refused with `SendingOfflineMessageFailed`.
    pub offline_form: bool,
    /// Proactive chat enabled.
    pub proactive: bool,
    /// Attachments enabled.
    pub attachments: bool,
    /// Maximum attachment size in MB.
    pub max_file_size_mb: u32,
    /// Allowed MIME types (`type/*` wildcards allowed).
    pub file_types: Vec<String>,
    /// Pre-chat survey fields.
    pub pre_chat: Vec<SurveyField>,
    /// The simulated agent.
    pub agent: AgentConfig,
    /// Answer the channel-configuration request with `SdkVersionNotSupported`.
    pub sdk_version_not_supported: bool,
}

/// One pre-chat survey field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyField {
    /// Field identifier.
    pub ident: String,
    /// Label.
    pub label: String,
    /// `text`, `email`, `list` or `tree`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the customer must fill it in.
    #[serde(default)]
    pub required: bool,
    /// Options of list and tree fields: `(name, label, parent name)`.
    #[serde(default)]
    pub options: Vec<SurveyOption>,
}

/// One option of a list or tree field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyOption {
    /// Option identifier (what the client sends).
    pub name: String,
    /// Label.
    pub value: String,
    /// Parent option of a tree node.
    #[serde(default)]
    pub parent: Option<String>,
}

/// How the simulated agent behaves in a channel. Times are in milliseconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentConfig {
    /// Agent user id.
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Surname.
    pub surname: String,
    /// Welcome message (`FireProactiveAction`) pushed right after a customer connects.
    pub welcome: Option<String>,
    /// How long after the authorization the welcome message is pushed.
    pub welcome_after_ms: u64,
    /// Assign the agent this long after a contact is created; `None` never assigns by itself.
    pub assign_after_ms: Option<u64>,
    /// Assign at all (a TOML file sets `auto_assign = false` to leave assignment to tests).
    pub auto_assign: bool,
    /// Live chat: queue positions announced before assignment, one per `queue_step_ms`.
    pub queue_positions: Vec<i64>,
    /// Pause between queue announcements.
    pub queue_step_ms: u64,
    /// Answer every customer message; `None` stays silent (tests drive the agent instead).
    pub reply: Option<Reply>,
    /// Typing indicator shown this long before a reply.
    pub typing_ms: u64,
    /// Mark customer messages read (`MessageReadChanged`) before replying.
    pub read_receipts: bool,
}

/// What the simulated agent answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reply {
    /// Nothing: the agent stays silent (TOML has no null, so this is how a file says so).
    None,
    /// `You said: <text>`.
    Echo,
    /// A fixed text.
    Text(String),
}

impl AgentConfig {
    /// Pause before the typing indicator and the reply.
    pub fn typing(&self) -> Duration {
        Duration::from_millis(self.typing_ms)
    }
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            id: 4242,
            first_name: "Alex".into(),
            surname: "Agent".into(),
            welcome: None,
            welcome_after_ms: 20,
            assign_after_ms: Some(50),
            auto_assign: true,
            queue_positions: Vec::new(),
            queue_step_ms: 100,
            reply: Some(Reply::Echo),
            typing_ms: 100,
            read_receipts: true,
        }
    }
}

impl Default for ChannelConfig {
    fn default() -> Self {
        Self {
            name: "Emulated channel".into(),
            mode: Mode::Single,
            auth: Auth::Anonymous,
            secured_sessions: false,
            online: true,
            transcript: true,
            offline_form: true,
            proactive: true,
            attachments: true,
            max_file_size_mb: 40,
            file_types: vec![
                "image/*".into(),
                "application/pdf".into(),
                "text/plain".into(),
            ],
            pre_chat: Vec::new(),
            agent: AgentConfig::default(),
            sdk_version_not_supported: false,
        }
    }
}

/// The id of the built-in brand.
pub const BUILTIN_BRAND: i64 = 1000;

impl Default for EmulatorConfig {
    fn default() -> Self {
        let welcome =
            Some("Hello {{customer.firstName|there}}, how can we help you today?".to_owned());
        let channel = |name: &str, mode, f: &dyn Fn(&mut ChannelConfig)| {
            let mut c = ChannelConfig {
                name: name.into(),
                mode,
                ..ChannelConfig::default()
            };
            f(&mut c);
            c
        };
        let channels = BTreeMap::from([
            (
                "chat_single".to_owned(),
                channel("Single-thread messaging", Mode::Single, &|_| {}),
            ),
            (
                "chat_multi".to_owned(),
                channel("Multi-thread messaging", Mode::Multi, &|_| {}),
            ),
            (
                "chat_live".to_owned(),
                channel("Live chat", Mode::Live, &|c| {
                    c.agent.welcome = welcome.clone();
                    c.agent.queue_positions = vec![3, 2, 1];
                    c.agent.assign_after_ms = Some(400);
                }),
            ),
            (
                "chat_secure".to_owned(),
                channel("Secured sessions", Mode::Single, &|c| {
                    c.secured_sessions = true
                }),
            ),
            (
                "chat_oauth".to_owned(),
                channel("Third-party OAuth", Mode::Single, &|c| c.auth = Auth::Oauth),
            ),
            (
                "chat_oauth_secure".to_owned(),
                channel(
                    "Third-party OAuth over secured sessions",
                    Mode::Single,
                    &|c| {
                        c.auth = Auth::Oauth;
                        c.secured_sessions = true;
                    },
                ),
            ),
            (
                "chat_cookie".to_owned(),
                channel(
                    "Secured sessions with a secured-cookie identity",
                    Mode::Single,
                    &|c| {
                        c.auth = Auth::SecuredCookie;
                        c.secured_sessions = true;
                    },
                ),
            ),
            (
                "chat_survey".to_owned(),
                channel("Single-thread with a pre-chat survey", Mode::Single, &|c| {
                    c.pre_chat = vec![
                        SurveyField {
                            ident: "email".into(),
                            label: "E-mail".into(),
                            kind: "email".into(),
                            required: true,
                            options: vec![],
                        },
                        SurveyField {
                            ident: "department".into(),
                            label: "Department".into(),
                            kind: "list".into(),
                            required: false,
                            options: vec![
                                SurveyOption {
                                    name: "sales".into(),
                                    value: "Sales".into(),
                                    parent: None,
                                },
                                SurveyOption {
                                    name: "support".into(),
                                    value: "Support".into(),
                                    parent: None,
                                },
                            ],
                        },
                    ];
                }),
            ),
        ]);
        Self {
            large_event_threshold: 128 * 1024,
            transaction_token_ttl_secs: 600,
            access_token_ttl_secs: 3600,
            bucket_url_ttl_secs: 900,
            brands: BTreeMap::from([(BUILTIN_BRAND, BrandConfig { channels })]),
        }
    }
}

/// Why a configuration file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },
    /// The file is not valid configuration.
    #[error("invalid configuration in {path}: {error}")]
    Parse {
        /// The path.
        path: String,
        /// What is wrong, with line and column.
        #[source]
        error: toml::de::Error,
    },
}

impl EmulatorConfig {
    /// The built-in configuration with the brands and channels of a TOML document merged in:
    /// a channel with the id of a built-in one replaces it.
    pub fn with_toml(mut self, text: &str, path: &str) -> Result<Self, ConfigError> {
        let extra: EmulatorConfig = toml::from_str(text).map_err(|error| ConfigError::Parse {
            path: path.to_owned(),
            error,
        })?;
        let defaults = EmulatorConfig::default();
        macro_rules! take {
            ($f:ident) => {
                if extra.$f != defaults.$f {
                    self.$f = extra.$f;
                }
            };
        }
        take!(large_event_threshold);
        take!(transaction_token_ttl_secs);
        take!(access_token_ttl_secs);
        take!(bucket_url_ttl_secs);
        for (brand, cfg) in extra.brands {
            self.brands
                .entry(brand)
                .or_default()
                .channels
                .extend(cfg.channels);
        }
        Ok(self)
    }

    /// Reads and merges a TOML file.
    pub fn load_file(self, path: &str) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            error,
        })?;
        self.with_toml(&text, path)
    }

    /// A channel, if configured.
    pub fn channel(&self, brand: i64, channel: &str) -> Option<&ChannelConfig> {
        self.brands.get(&brand)?.channels.get(channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_brand_has_the_documented_channels() {
        let c = EmulatorConfig::default();
        for id in [
            "chat_single",
            "chat_multi",
            "chat_live",
            "chat_secure",
            "chat_oauth",
            "chat_survey",
        ] {
            assert!(c.channel(BUILTIN_BRAND, id).is_some(), "{id}");
        }
        assert_eq!(c.channel(1000, "chat_live").unwrap().mode, Mode::Live);
        assert!(c.channel(1000, "chat_secure").unwrap().secured_sessions);
        assert_eq!(c.channel(1000, "chat_oauth").unwrap().auth, Auth::Oauth);
        assert!(
            c.channel(1000, "chat_survey")
                .unwrap()
                .pre_chat
                .iter()
                .any(|f| f.required)
        );
    }

    #[test]
    fn toml_adds_channels_and_rejects_unknown_keys() {
        let text = r#"
            large_event_threshold = 4096
            [brands.77.channels.chat_x]
            mode = "multi"
            online = false
            [brands.77.channels.chat_x.agent]
            reply = { text = "We are closed" }
            assign_after_ms = 10
            [brands.77.channels.chat_quiet.agent]
            reply = "none"
            auto_assign = false
        "#;
        let c = EmulatorConfig::default().with_toml(text, "x.toml").unwrap();
        assert_eq!(c.large_event_threshold, 4096);
        let x = c.channel(77, "chat_x").unwrap();
        assert_eq!((x.mode, x.online), (Mode::Multi, false));
        assert_eq!(x.agent.reply, Some(Reply::Text("We are closed".into())));
        assert!(c.channel(1000, "chat_single").is_some(), "built-ins stay");
        let quiet = &c.channel(77, "chat_quiet").unwrap().agent;
        assert_eq!(
            (&quiet.reply, quiet.auto_assign),
            (&Some(Reply::None), false)
        );

        let err = EmulatorConfig::default()
            .with_toml("[brands.1.channels.c]\nmood = \"happy\"\n", "bad.toml")
            .unwrap_err();
        assert!(err.to_string().contains("mood"), "{err}");
    }
}
