//! Where a session's back end lives (PROTOCOL.md §1): the chat REST base, the WebSocket
//! gateway, the OAuth / transaction-token base and the analytics base, resolved from a named
//! environment or from custom URLs, plus the URL of every call the daemon makes.
//!
//! Plain functions over [`url::Url`]: path segments and query values are percent-encoded by the
//! `url` crate, so ids with reserved characters cannot change a request's path or query.

use std::net::IpAddr;

use cxone_chat_protocol::rpc::types::{CustomEnvironment, Environment, EnvironmentName};
use std::sync::Arc;

use url::{Host, Url};

use super::SdkIdentity;

/// The resolved endpoints of one back end. Built only through [`Endpoints::resolve`],
/// [`Endpoints::named`] or [`Endpoints::custom`], so every URL has been validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints(Arc<Urls>);

/// The URLs themselves, shared by every clone: each session's actors keep a copy of where the
/// back end is, and four parsed URLs are a few hundred bytes.
#[derive(Debug, PartialEq, Eq)]
struct Urls {
    chat_url: Url,
    socket_url: Url,
    token_url: Url,
    analytics_base: Url,
}

/// Why custom endpoints were refused. Messages name the field as the local API spells it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The text is not an absolute URL with a host.
    #[error("{field} {url:?} is not an absolute URL with a host ({reason}); give e.g. {example}")]
    InvalidUrl {
        /// `chatUrl`, `socketUrl` or `tokenUrl`.
        field: &'static str,
        /// The text given.
        url: String,
        /// What the parser objected to.
        reason: String,
        /// A well-formed example for the field.
        example: &'static str,
    },
    /// The scheme is not the secure one the field needs (plain schemes are allowed for loopback
    /// hosts only, so that the emulator works and nothing else leaks over plain text).
    #[error(
        "{field} must use {expected}:// (got {scheme}://); {plain}:// is accepted only for \
         loopback hosts such as a local emulator"
    )]
    InsecureOrWrongScheme {
        /// The field.
        field: &'static str,
        /// The scheme given.
        scheme: String,
        /// The secure scheme wanted.
        expected: &'static str,
        /// The plain scheme allowed on loopback.
        plain: &'static str,
    },
    /// A query string or fragment, which the daemon would have to merge with its own.
    #[error("{field} must not carry a query string or fragment; remove everything from '?' or '#'")]
    QueryOrFragment {
        /// The field.
        field: &'static str,
    },
}

/// The query of the WebSocket URL (PROTOCOL.md §1.9).
#[derive(Debug, Clone, Copy)]
pub struct SocketQuery<'a> {
    /// The brand (tenant).
    pub brand_id: i64,
    /// The channel.
    pub channel_id: &'a str,
    /// The persisted visitor id.
    pub visitor_id: &'a str,
    /// `sdkPlatform` and `sdkVersion`.
    pub sdk: &'a SdkIdentity,
    /// The transaction token, exactly when the channel has secured sessions.
    pub transaction_token: Option<&'a str>,
}

const CHAT_EXAMPLE: &str = "https://channels-de-na1.niceincontact.com/chat";
const SOCKET_EXAMPLE: &str = "wss://chat-gateway-de-na1.niceincontact.com";
const TOKEN_EXAMPLE: &str = "https://digital-oauth-de-na1.niceincontact.com/";

impl Endpoints {
    /// Resolves a session's environment as the local API accepts it.
    pub fn resolve(environment: &Environment) -> Result<Self, EndpointError> {
        match environment {
            Environment::Named(name) => Ok(Self::named(*name)),
            Environment::Custom(custom) => Self::custom(custom),
        }
    }

    /// One of the six environments the mobile SDKs ship (PROTOCOL.md §1.1).
    pub fn named(name: EnvironmentName) -> Self {
        let region = match name {
            EnvironmentName::NA1 => "na1",
            EnvironmentName::EU1 => "eu1",
            EnvironmentName::AU1 => "au1",
            EnvironmentName::CA1 => "ca1",
            EnvironmentName::UK1 => "uk1",
            EnvironmentName::JP1 => "jp1",
        };
        let custom = CustomEnvironment {
            chat_url: format!("https://channels-de-{region}.niceincontact.com/chat"),
            socket_url: format!("wss://chat-gateway-de-{region}.niceincontact.com"),
            token_url: Some(format!(
                "https://digital-oauth-de-{region}.niceincontact.com/"
            )),
        };
        Self::custom(&custom).expect("the named environments are valid URLs")
    }

    /// Custom endpoints. Without `tokenUrl` the token base is derived from `chatUrl` as iOS
    /// does: drop the last path component and, when the host starts with `channels`, replace
    /// that with `digital-oauth` (`https://channels-eu1-qa.example.com/chat` →
    /// `https://digital-oauth-eu1-qa.example.com/`). Other hosts (the emulator) keep their host.
    pub fn custom(custom: &CustomEnvironment) -> Result<Self, EndpointError> {
        let mut chat_url = parse("chatUrl", &custom.chat_url, ("https", "http"), CHAT_EXAMPLE)?;
        // Android writes the chat URL with a trailing slash; the paths are the same.
        if let Ok(mut segments) = chat_url.path_segments_mut() {
            segments.pop_if_empty();
        }
        let socket_url = parse(
            "socketUrl",
            &custom.socket_url,
            ("wss", "ws"),
            SOCKET_EXAMPLE,
        )?;
        let mut token_url = match &custom.token_url {
            Some(text) => parse("tokenUrl", text, ("https", "http"), TOKEN_EXAMPLE)?,
            None => derive_token_url(&chat_url),
        };
        // `{tokenURL}oauth/token` joins relative to the base, so the base must end in '/'.
        if !token_url.path().ends_with('/') {
            let path = format!("{}/", token_url.path());
            token_url.set_path(&path);
        }
        let mut analytics_base = chat_url.clone();
        analytics_base.set_path("/web-analytics");
        Ok(Self(Arc::new(Urls {
            chat_url,
            socket_url,
            token_url,
            analytics_base,
        })))
    }

    /// The chat REST base, ending in `/chat` for the named environments.
    pub fn chat_url(&self) -> &Url {
        &self.0.chat_url
    }

    /// The WebSocket gateway without the query.
    pub fn socket_url(&self) -> &Url {
        &self.0.socket_url
    }

    /// The OAuth / transaction-token base, ending in `/`.
    pub fn token_url(&self) -> &Url {
        &self.0.token_url
    }

    /// `scheme://chat-host/web-analytics`: analytics live at an absolute path on the chat host.
    pub fn analytics_base(&self) -> &Url {
        &self.0.analytics_base
    }

    /// `GET {chatURL}/1.0/brand/{brandId}/channel/{channelId}` (§1.3).
    pub fn channel_configuration(&self, brand_id: i64, channel_id: &str) -> Url {
        with_segments(
            &self.0.chat_url,
            &["1.0", "brand", &brand_id.to_string(), "channel", channel_id],
        )
    }

    /// `GET …/channel/{channelId}/availability` (§1.4).
    pub fn availability(&self, brand_id: i64, channel_id: &str) -> Url {
        let mut url = self.channel_configuration(brand_id, channel_id);
        push(&mut url, &["availability"]);
        url
    }

    /// `POST …/channel/{channelId}/attachment` (§1.7).
    pub fn attachment(&self, brand_id: i64, channel_id: &str) -> Url {
        let mut url = self.channel_configuration(brand_id, channel_id);
        push(&mut url, &["attachment"]);
        url
    }

    /// `PUT /web-analytics/1.0/tenants/{brandId}/visitors/{visitorId}` (§1.5).
    pub fn visitor(&self, brand_id: i64, visitor_id: &str) -> Url {
        with_segments(
            &self.0.analytics_base,
            &[
                "1.0",
                "tenants",
                &brand_id.to_string(),
                "visitors",
                visitor_id,
            ],
        )
    }

    /// `POST …/visitors/{visitorId}/events` (§1.6).
    pub fn analytics_events(&self, brand_id: i64, visitor_id: &str) -> Url {
        let mut url = self.visitor(brand_id, visitor_id);
        push(&mut url, &["events"]);
        url
    }

    /// `POST {tokenURL}oauth/token?channelId=…&brandId=…&visitorId=…` (§1.8, iOS order).
    pub fn token(&self, brand_id: i64, channel_id: &str, visitor_id: &str) -> Url {
        let mut url = with_segments(&self.0.token_url, &["oauth", "token"]);
        url.query_pairs_mut()
            .append_pair("channelId", channel_id)
            .append_pair("brandId", &brand_id.to_string())
            .append_pair("visitorId", visitor_id);
        url
    }

    /// `{socketURL}?brandId=…&channelId=…&visitorId=…&sdkPlatform=…&sdkVersion=…[&transactionToken=…]`
    /// (§1.9). The result carries the transaction token: never log it whole.
    pub fn websocket(&self, query: &SocketQuery<'_>) -> Url {
        let mut url = self.0.socket_url.clone();
        {
            let mut pairs = url.query_pairs_mut();
            pairs
                .append_pair("brandId", &query.brand_id.to_string())
                .append_pair("channelId", query.channel_id)
                .append_pair("visitorId", query.visitor_id)
                .append_pair("sdkPlatform", &query.sdk.platform)
                .append_pair("sdkVersion", &query.sdk.version);
            if let Some(token) = query.transaction_token {
                pairs.append_pair("transactionToken", token);
            }
        }
        url
    }
}

/// Parses and checks one configured URL: absolute, with a host, no query or fragment, and the
/// secure scheme (or the plain one on a loopback host).
fn parse(
    field: &'static str,
    text: &str,
    (secure, plain): (&'static str, &'static str),
    example: &'static str,
) -> Result<Url, EndpointError> {
    let invalid = |reason: String| EndpointError::InvalidUrl {
        field,
        url: text.to_owned(),
        reason,
        example,
    };
    let url = Url::parse(text.trim()).map_err(|e| invalid(e.to_string()))?;
    let Some(host) = url.host() else {
        return Err(invalid("no host".to_owned()));
    };
    let scheme_ok = url.scheme() == secure || (url.scheme() == plain && is_loopback(&host));
    if !scheme_ok {
        return Err(EndpointError::InsecureOrWrongScheme {
            field,
            scheme: url.scheme().to_owned(),
            expected: secure,
            plain,
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointError::QueryOrFragment { field });
    }
    Ok(url)
}

/// Whether `host` is this machine (where plain http/ws are tolerated: the emulator).
pub(crate) fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
    }
}

/// iOS's derivation of the token base from the chat URL (PROTOCOL.md §1.1).
fn derive_token_url(chat_url: &Url) -> Url {
    let mut url = chat_url.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().pop().push("");
    }
    if let Some(host) = chat_url.host_str()
        && let Some(rest) = host.strip_prefix("channels")
    {
        // A host that parsed before still parses with another leading label text.
        let _ = url.set_host(Some(&format!("digital-oauth{rest}")));
    }
    url
}

fn with_segments(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    push(&mut url, segments);
    url
}

fn push(url: &mut Url, segments: &[&str]) {
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [EnvironmentName; 6] = [
        EnvironmentName::NA1,
        EnvironmentName::EU1,
        EnvironmentName::AU1,
        EnvironmentName::CA1,
        EnvironmentName::UK1,
        EnvironmentName::JP1,
    ];

    fn custom(chat: &str, socket: &str, token: Option<&str>) -> Result<Endpoints, EndpointError> {
        Endpoints::custom(&CustomEnvironment {
            chat_url: chat.into(),
            socket_url: socket.into(),
            token_url: token.map(Into::into),
        })
    }

    #[test]
    fn named_environments_match_the_sdk_tables() {
        let eu = Endpoints::named(EnvironmentName::EU1);
        assert_eq!(
            eu.chat_url().as_str(),
            "https://channels-de-eu1.niceincontact.com/chat"
        );
        assert_eq!(
            eu.socket_url().as_str(),
            "wss://chat-gateway-de-eu1.niceincontact.com/"
        );
        assert_eq!(
            eu.token_url().as_str(),
            "https://digital-oauth-de-eu1.niceincontact.com/"
        );
        assert_eq!(
            eu.analytics_base().as_str(),
            "https://channels-de-eu1.niceincontact.com/web-analytics"
        );
        let jp = Endpoints::resolve(&Environment::Named(EnvironmentName::JP1)).unwrap();
        assert_eq!(
            jp.chat_url().host_str(),
            Some("channels-de-jp1.niceincontact.com")
        );
    }

    #[test]
    fn deriving_the_token_url_reproduces_every_named_one() {
        for name in ALL {
            let named = Endpoints::named(name);
            let derived =
                custom(named.chat_url().as_str(), named.socket_url().as_str(), None).unwrap();
            assert_eq!(derived.token_url(), named.token_url(), "{name:?}");
        }
        let qa = custom(
            "https://channels-eu1-qa.brandembassy.com/chat",
            "wss://gw.example.com",
            None,
        )
        .unwrap();
        assert_eq!(
            qa.token_url().as_str(),
            "https://digital-oauth-eu1-qa.brandembassy.com/"
        );
    }

    #[test]
    fn rest_paths_follow_the_protocol() {
        let e = Endpoints::named(EnvironmentName::NA1);
        let ch = "chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4";
        assert_eq!(
            e.channel_configuration(1386, ch).as_str(),
            format!("https://channels-de-na1.niceincontact.com/chat/1.0/brand/1386/channel/{ch}")
        );
        assert_eq!(
            e.availability(1386, ch).as_str(),
            format!(
                "https://channels-de-na1.niceincontact.com/chat/1.0/brand/1386/channel/{ch}/availability"
            )
        );
        assert_eq!(
            e.attachment(1386, ch).path(),
            format!("/chat/1.0/brand/1386/channel/{ch}/attachment")
        );
        assert_eq!(
            e.visitor(1386, "9f2e1c7a").as_str(),
            "https://channels-de-na1.niceincontact.com/web-analytics/1.0/tenants/1386/visitors/9f2e1c7a"
        );
        assert_eq!(
            e.analytics_events(1386, "9f2e1c7a").path(),
            "/web-analytics/1.0/tenants/1386/visitors/9f2e1c7a/events"
        );
        assert_eq!(
            e.token(1386, ch, "v1").as_str(),
            format!(
                "https://digital-oauth-de-na1.niceincontact.com/oauth/token?channelId={ch}&brandId=1386&visitorId=v1"
            )
        );
    }

    #[test]
    fn the_websocket_query_is_complete_and_encoded() {
        let e = Endpoints::named(EnvironmentName::NA1);
        let sdk = SdkIdentity {
            platform: "linux".into(),
            version: "0.1.0".into(),
        };
        let mut q = SocketQuery {
            brand_id: 1386,
            channel_id: "chat_a",
            visitor_id: "v 1",
            sdk: &sdk,
            transaction_token: None,
        };
        assert_eq!(
            e.websocket(&q).as_str(),
            "wss://chat-gateway-de-na1.niceincontact.com/?brandId=1386&channelId=chat_a&visitorId=v+1&sdkPlatform=linux&sdkVersion=0.1.0"
        );
        q.transaction_token = Some("a+b/c=&d");
        let url = e.websocket(&q);
        assert!(
            url.as_str().ends_with("&transactionToken=a%2Bb%2Fc%3D%26d"),
            "{url}"
        );
        let token: Vec<_> = url
            .query_pairs()
            .filter(|(k, _)| k == "transactionToken")
            .collect();
        assert_eq!(token.len(), 1);
        assert_eq!(token[0].1, "a+b/c=&d");
    }

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        let e = Endpoints::named(EnvironmentName::NA1);
        let url = e.channel_configuration(1, "../x/y?z#w");
        assert_eq!(url.path(), "/chat/1.0/brand/1/channel/..%2Fx%2Fy%3Fz%23w");
        assert_eq!((url.query(), url.fragment()), (None, None));
    }

    #[test]
    fn the_emulator_on_loopback_works_over_plain_schemes() {
        let e = custom("http://127.0.0.1:4000/chat/", "ws://127.0.0.1:4000/", None).unwrap();
        assert_eq!(e.chat_url().as_str(), "http://127.0.0.1:4000/chat");
        assert_eq!(
            e.channel_configuration(1000, "chat_single").as_str(),
            "http://127.0.0.1:4000/chat/1.0/brand/1000/channel/chat_single"
        );
        assert_eq!(e.token_url().as_str(), "http://127.0.0.1:4000/");
        assert_eq!(
            e.visitor(1000, "v").as_str(),
            "http://127.0.0.1:4000/web-analytics/1.0/tenants/1000/visitors/v"
        );
        assert!(custom("http://localhost:1/chat", "ws://[::1]:1", None).is_ok());
        let token_without_slash = custom(
            "http://localhost:1/chat",
            "ws://localhost:1",
            Some("http://localhost:2/auth"),
        )
        .unwrap();
        assert_eq!(
            token_without_slash.token(1, "c", "v").as_str(),
            "http://localhost:2/auth/oauth/token?channelId=c&brandId=1&visitorId=v"
        );
    }

    #[test]
    fn plain_schemes_off_loopback_and_malformed_urls_are_refused_by_field() {
        let e = custom("http://channels.example.com/chat", SOCKET_EXAMPLE, None).unwrap_err();
        assert!(
            matches!(
                e,
                EndpointError::InsecureOrWrongScheme {
                    field: "chatUrl",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("https://"), "{e}");
        let e = custom(CHAT_EXAMPLE, "ws://gw.example.com", None).unwrap_err();
        assert!(
            matches!(
                e,
                EndpointError::InsecureOrWrongScheme {
                    field: "socketUrl",
                    ..
                }
            ),
            "{e}"
        );
        let e = custom(CHAT_EXAMPLE, "https://gw.example.com", None).unwrap_err();
        assert!(
            matches!(
                e,
                EndpointError::InsecureOrWrongScheme {
                    field: "socketUrl",
                    ..
                }
            ),
            "{e}"
        );
        let e = custom("channels.example.com/chat", SOCKET_EXAMPLE, None).unwrap_err();
        assert!(
            matches!(
                e,
                EndpointError::InvalidUrl {
                    field: "chatUrl",
                    ..
                }
            ),
            "{e}"
        );
        let e = custom(
            CHAT_EXAMPLE,
            SOCKET_EXAMPLE,
            Some("https://x.example.com/?a=1"),
        )
        .unwrap_err();
        assert_eq!(e, EndpointError::QueryOrFragment { field: "tokenUrl" });
        let e = custom(CHAT_EXAMPLE, "wss://gw.example.com/#x", None).unwrap_err();
        assert_eq!(e, EndpointError::QueryOrFragment { field: "socketUrl" });
    }
}
