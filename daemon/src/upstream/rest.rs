//! [`RestClient`]: every HTTPS call the daemon makes to CXone (PROTOCOL.md §1.3–§1.8, §1.10)
//! over one reqwest client, so connections and TLS sessions are shared by all sessions.
//!
//! * Every request carries `x-sdk-platform` / `x-sdk-version` from the [`SdkIdentity`]; the
//!   back end answers an identity it no longer supports with `SdkVersionNotSupported`, which is
//!   detected in any response body, whatever the status, and never retried.
//! * Timeouts: connect 10 s, whole request 30 s (uploads 120 s), the first two configurable
//!   (`[network]`, see [`Network`]); response bodies are read in
//!   chunks and refused beyond a limit, so a hostile server cannot exhaust memory.
//! * The channel configuration and large-event downloads retry transient failures (network,
//!   timeouts, 5xx, 408, 429) a bounded number of times with jittered exponential backoff
//!   (backon); everything else is one attempt and the caller decides.
//! * Secured-cookie identity: [`SecuredCookies`], a small persistable jar (see its module).

mod cookies;
mod error;
mod large_event;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::cxone::rest::{
    AnalyticsEvent, AttachmentUploadOutcome, AttachmentUploadRequest, Availability,
    ChannelConfiguration, RefreshTokenResponse, RestErrorBody, TokenErrorBody, TokenRequest,
    TokenResponse, VisitorRegistration, decode_body,
};
use reqwest::header::{ACCEPT, COOKIE, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::debug;
use url::Url;

pub use cookies::SecuredCookies;
pub use error::{HttpFailure, RestError};

use super::endpoints::Endpoints;
use super::network::Network;
use super::{SdkIdentity, install_crypto_provider, loggable_url};

/// Settings of [`RestClient`]. The defaults follow PROTOCOL.md §1.2 and the brief of the
/// upstream layer; tests shorten the retry delays.
#[derive(Debug, Clone)]
pub struct RestConfig {
    /// Reported in `x-sdk-platform` / `x-sdk-version`.
    pub sdk: SdkIdentity,
    /// Trust roots, proxies, timeouts and keep-alive: replaced as a whole on a reload
    /// ([`RestClient::set_network`]).
    pub network: Network,
    /// A whole attachment upload (the file travels base64-encoded in one body).
    pub upload_timeout: Duration,
    /// The largest REST response body accepted.
    pub max_response_bytes: u64,
    /// Requests made for the channel configuration before giving up on transient failures.
    pub channel_config_attempts: u32,
    /// The first retry delay (before jitter, which adds up to 100 %).
    pub retry_min_delay: Duration,
    /// The longest retry delay (before jitter).
    pub retry_max_delay: Duration,
    /// The largest large event (`EventInS3` body) accepted.
    pub large_event_max_bytes: u64,
    /// One large-event download attempt.
    pub large_event_timeout: Duration,
    /// Requests made for one large event before giving up on transient failures.
    pub large_event_attempts: u32,
}

impl Default for RestConfig {
    fn default() -> Self {
        Self {
            sdk: SdkIdentity::default(),
            network: Network::default(),
            upload_timeout: Duration::from_secs(120),
            max_response_bytes: 4 << 20,
            channel_config_attempts: 3,
            retry_min_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(5),
            large_event_max_bytes: 16 << 20,
            large_event_timeout: Duration::from_secs(30),
            large_event_attempts: 3,
        }
    }
}

/// The channel a call is about.
#[derive(Debug, Clone, Copy)]
pub struct ChannelTarget<'a> {
    /// The back end.
    pub endpoints: &'a Endpoints,
    /// The brand (tenant).
    pub brand_id: i64,
    /// The channel.
    pub channel_id: &'a str,
}

/// The CXone REST client. Cheap to clone (the reqwest clients are reference-counted); every
/// clone sees a [`RestClient::set_network`] made through any other.
#[derive(Debug, Clone)]
pub struct RestClient {
    clients: Arc<RwLock<Arc<Clients>>>,
    /// Shared by every clone (each session's actors hold one): it never changes.
    config: Arc<RestConfig>,
}

/// The reqwest clients of one [`Network`], each built on first use, or why it could not be:
/// a daemon without sessions sets up no HTTP client at all (nor rustls under it).
#[derive(Debug)]
struct Clients {
    network: Network,
    /// For plain-http URLs (loopback only): built without trust roots, so that a daemon with a
    /// plain-http back end never reads the system's certificate store.
    plain: OnceLock<Result<reqwest::Client, String>>,
    /// For https URLs: with the system's trust roots (the platform verifier reads them when the
    /// client is built).
    tls: OnceLock<Result<reqwest::Client, String>>,
}

impl Clients {
    fn new(network: Network) -> Self {
        Self {
            network,
            plain: OnceLock::new(),
            tls: OnceLock::new(),
        }
    }
}

/// A response read in full.
struct Exchange {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Why a CXone REST call did not give a 2xx body: the version rejection is special everywhere.
enum CallError {
    SdkVersionNotSupported(String),
    Failed(HttpFailure),
}

impl CallError {
    /// The error of `step`, which wraps ordinary failures.
    fn into_step(self, step: impl FnOnce(HttpFailure) -> RestError) -> RestError {
        match self {
            Self::SdkVersionNotSupported(message) => RestError::SdkVersionNotSupported { message },
            Self::Failed(failure) => step(failure),
        }
    }

    fn is_transient(&self) -> bool {
        matches!(self, Self::Failed(f) if f.is_transient())
    }
}

impl From<HttpFailure> for CallError {
    fn from(f: HttpFailure) -> Self {
        Self::Failed(f)
    }
}

/// The HTTP client's settings, for either client.
fn builder(config: &RestConfig, network: &Network) -> reqwest::ClientBuilder {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in [
        ("x-sdk-platform", &config.sdk.platform),
        ("x-sdk-version", &config.sdk.version),
    ] {
        // An identity that is not a valid header value is left out rather than fatal.
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    // The proxy rules are the daemon's own (the same for the WebSocket), not reqwest's reading
    // of the environment.
    let rules = network.proxy.clone();
    let proxy = reqwest::Proxy::custom(move |url| {
        rules.for_url(url).map(|p| {
            let mut with_auth = p.url.clone();
            if let Some((user, password)) = &p.credentials {
                let _ = with_auth.set_username(user);
                let _ = with_auth.set_password(Some(password));
            }
            with_auth
        })
    });
    reqwest::Client::builder()
        .no_proxy()
        .proxy(proxy)
        .connect_timeout(network.connect_timeout)
        .timeout(network.request_timeout)
        .tcp_keepalive(network.tcp_keepalive)
        .default_headers(headers)
        .user_agent(format!("cxone-chatd/{}", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match redirect_allowed(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(why),
            }
        }))
}

/// Redirects followed at most, per request.
const MAX_REDIRECTS: usize = 5;

/// Whether a redirect may be followed: every hop obeys the rule the first URL did — https
/// anywhere, plain http only to loopback — so a pre-signed link on loopback cannot send the
/// daemon to another host in the clear (or to `file:`).
fn redirect_allowed(url: &Url) -> Result<(), String> {
    let shown = crate::upstream::loggable_url(url);
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some(host)) if super::endpoints::is_loopback(&host) => Ok(()),
        ("http", _) => Err(format!(
            "refused a redirect to {shown}: plain http is allowed only to loopback"
        )),
        (scheme, _) => Err(format!(
            "refused a redirect to a {scheme:?} URL; only http(s) is followed"
        )),
    }
}

impl RestClient {
    /// The client; its reqwest clients are built when a call first needs one.
    pub fn new(config: RestConfig) -> Self {
        Self {
            clients: Arc::new(RwLock::new(Arc::new(Clients::new(config.network.clone())))),
            config: Arc::new(config),
        }
    }

    /// Replaces the network settings of this client and of every clone: calls that start
    /// afterwards use them (and the WebSocket's next connection, see [`RestClient::network`]);
    /// calls in flight finish with the old ones.
    pub fn set_network(&self, network: Network) {
        let clients = Arc::new(Clients::new(network));
        *self.clients.write().unwrap_or_else(|e| e.into_inner()) = clients;
    }

    /// The network settings in force.
    pub fn network(&self) -> Network {
        self.current().network.clone()
    }

    fn current(&self) -> Arc<Clients> {
        self.clients
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The client for `url`: the trust roots are loaded when an https URL first needs them.
    fn http(&self, url: &Url) -> Result<reqwest::Client, HttpFailure> {
        // The rustls provider the clients' TLS needs, installed if none is.
        install_crypto_provider();
        let clients = self.current();
        if url.scheme() != "https" {
            return clients
                .plain
                .get_or_init(|| {
                    let built = builder(&self.config, &clients.network)
                        .tls_certs_only([])
                        .build();
                    built.map_err(|e| error::causes(&e))
                })
                .clone()
                .map_err(HttpFailure::Setup);
        }
        clients
            .tls
            .get_or_init(|| {
                let extra = clients
                    .network
                    .extra_roots
                    .iter()
                    .filter_map(|der| reqwest::Certificate::from_der(der).ok());
                builder(&self.config, &clients.network).tls_certs_merge(extra).build().map_err(|e| {
                    let why = error::causes(&e);
                    tracing::error!(error = %why, "cannot load the trust roots for https; install the ca-certificates package or set SSL_CERT_FILE");
                    why
                })
            })
            .clone()
            .map_err(HttpFailure::NoTrustRoots)
    }

    /// The settings this client was built with (the network's as at the start: see
    /// [`RestClient::network`] for the ones in force).
    pub fn config(&self) -> &RestConfig {
        &self.config
    }

    fn request_timeout(&self) -> Duration {
        self.current().network.request_timeout
    }

    /// `GET` the channel configuration (§1.3), retrying transient failures up to
    /// `channel_config_attempts` requests in all.
    pub async fn channel_configuration(
        &self,
        target: ChannelTarget<'_>,
    ) -> Result<ChannelConfiguration, RestError> {
        let url = target
            .endpoints
            .channel_configuration(target.brand_id, target.channel_id);
        let attempts = AtomicU32::new(0);
        let result = (|| async {
            attempts.fetch_add(1, Ordering::Relaxed);
            self.get_json(&url).await
        })
        .retry(self.retry_policy(self.config.channel_config_attempts))
        .when(CallError::is_transient)
        .notify(|e, delay| match e {
            CallError::Failed(failure) => {
                debug!(error = %failure, ?delay, "channel configuration failed; retrying")
            }
            CallError::SdkVersionNotSupported(_) => {}
        })
        .await;
        result.map_err(|e| {
            e.into_step(|failure| RestError::FetchChannelConfig {
                attempts: attempts.load(Ordering::Relaxed),
                failure,
            })
        })
    }

    /// `GET` live-chat availability (§1.4).
    pub async fn availability(&self, target: ChannelTarget<'_>) -> Result<Availability, RestError> {
        let url = target
            .endpoints
            .availability(target.brand_id, target.channel_id);
        self.get_json(&url)
            .await
            .map_err(|e| e.into_step(RestError::FetchAvailability))
    }

    /// `PUT` the visitor registration (§1.5). The response body is ignored, as by every SDK.
    pub async fn register_visitor(
        &self,
        endpoints: &Endpoints,
        brand_id: i64,
        visitor_id: &str,
        body: &VisitorRegistration,
    ) -> Result<(), RestError> {
        let url = endpoints.visitor(brand_id, visitor_id);
        let request = self.http(&url).map(|c| c.put(url.clone()).json(body));
        self.call(request, &url, self.request_timeout())
            .await
            .map(drop)
            .map_err(|e| e.into_step(RestError::RegisterVisitor))
    }

    /// `POST` one analytics event (§1.6). The response body is ignored.
    pub async fn send_analytics_event(
        &self,
        endpoints: &Endpoints,
        brand_id: i64,
        visitor_id: &str,
        event: &AnalyticsEvent,
    ) -> Result<(), RestError> {
        let url = endpoints.analytics_events(brand_id, visitor_id);
        let request = self.http(&url).map(|c| c.post(url.clone()).json(event));
        self.call(request, &url, self.request_timeout())
            .await
            .map(drop)
            .map_err(|e| e.into_step(RestError::SendAnalyticsEvent))
    }

    /// `POST` an attachment (§1.7): `Uploaded` with the file URL, or `Rejected` with the
    /// channel's restrictions (a rejection is a 2xx response).
    pub async fn upload_attachment(
        &self,
        target: ChannelTarget<'_>,
        upload: &AttachmentUploadRequest,
    ) -> Result<AttachmentUploadOutcome, RestError> {
        let url = target
            .endpoints
            .attachment(target.brand_id, target.channel_id);
        let request = self.http(&url).map(|c| c.post(url.clone()).json(upload));
        let exchange = self
            .call(request, &url, self.config.upload_timeout)
            .await
            .map_err(|e| e.into_step(RestError::UploadAttachment))?;
        decode_body(&exchange.body).map_err(|e| RestError::UploadAttachment(HttpFailure::Decode(e)))
    }

    /// A transaction token for an anonymous customer (§1.8, the iOS body).
    pub async fn anonymous_token(
        &self,
        target: ChannelTarget<'_>,
        visitor_id: &str,
        customer: CustomerIdentity,
    ) -> Result<TokenResponse, RestError> {
        let request = TokenRequest::anonymous(customer);
        self.token(target, visitor_id, &request, None).await
    }

    /// A transaction token (and the identity provider's tokens) for a third-party login:
    /// the one-shot authorization code with its PKCE verifier.
    pub async fn authorization_code_token(
        &self,
        target: ChannelTarget<'_>,
        visitor_id: &str,
        authorization_code: &str,
        code_verifier: &str,
    ) -> Result<TokenResponse, RestError> {
        let request = TokenRequest::authorization_code(authorization_code, code_verifier);
        self.token(target, visitor_id, &request, None).await
    }

    /// Refreshes the identity provider's access token (and gets a new transaction token when
    /// the back end sends one). The response shape differs per SDK; all are accepted.
    pub async fn refresh_third_party_token(
        &self,
        target: ChannelTarget<'_>,
        visitor_id: &str,
        refresh_token: &str,
    ) -> Result<RefreshTokenResponse, RestError> {
        let request = TokenRequest::refresh(refresh_token);
        self.token(target, visitor_id, &request, None).await
    }

    /// A transaction token for the secured-cookie type: sends the jar's cookies and takes in
    /// the ones the server sets, so the caller persists `cookies` afterwards.
    pub async fn secured_cookie_token(
        &self,
        target: ChannelTarget<'_>,
        visitor_id: &str,
        cookies: &mut SecuredCookies,
    ) -> Result<TokenResponse, RestError> {
        let request = TokenRequest::secured_cookie();
        self.token(target, visitor_id, &request, Some(cookies))
            .await
    }

    /// `POST {tokenURL}oauth/token?…` with a JSON body.
    async fn token<T: DeserializeOwned>(
        &self,
        target: ChannelTarget<'_>,
        visitor_id: &str,
        body: &TokenRequest,
        cookies: Option<&mut SecuredCookies>,
    ) -> Result<T, RestError> {
        let url = target
            .endpoints
            .token(target.brand_id, target.channel_id, visitor_id);
        let mut request = self.http(&url).map(|c| c.post(url.clone()).json(body));
        if let Some(cookie) = cookies.as_deref().and_then(SecuredCookies::header_value) {
            request = request.map(|r| r.header(COOKIE, cookie));
        }
        let exchange = self
            .exchange(request, &url, self.request_timeout())
            .await
            .map_err(|failure| RestError::RequestToken {
                failure,
                reason: None,
            })?;
        // Cookies count even on a refusal: the server may reset the identity with one.
        if let Some(jar) = cookies {
            jar.absorb(&exchange.headers);
        }
        check(&exchange).map_err(|e| {
            e.into_step(|failure| RestError::RequestToken {
                failure,
                // The token endpoint has its own error shapes (OAuth's among them).
                reason: decode_body::<TokenErrorBody>(&exchange.body)
                    .ok()
                    .map(|b| b.reason()),
            })
        })?;
        decode_body(&exchange.body).map_err(|e| RestError::RequestToken {
            failure: HttpFailure::Decode(e),
            reason: None,
        })
    }

    /// A CXone REST `GET` whose 2xx body decodes as `T`.
    async fn get_json<T: DeserializeOwned>(&self, url: &Url) -> Result<T, CallError> {
        let exchange = self
            .call(
                self.http(url).map(|c| c.get(url.clone())),
                url,
                self.request_timeout(),
            )
            .await?;
        decode_body(&exchange.body).map_err(|e| HttpFailure::Decode(e).into())
    }

    /// A CXone REST call: a 2xx response, or the version rejection, or a failure carrying the
    /// back end's `errorMessage` when it sent one.
    async fn call(
        &self,
        request: Result<reqwest::RequestBuilder, HttpFailure>,
        url: &Url,
        timeout: Duration,
    ) -> Result<Exchange, CallError> {
        let exchange = self.exchange(request, url, timeout).await?;
        check(&exchange)?;
        Ok(exchange)
    }

    /// Sends one request and reads its body, at most `max_response_bytes`.
    async fn exchange(
        &self,
        request: Result<reqwest::RequestBuilder, HttpFailure>,
        url: &Url,
        timeout: Duration,
    ) -> Result<Exchange, HttpFailure> {
        let request = request?;
        let started = std::time::Instant::now();
        let result = read_limited(
            request.timeout(timeout),
            timeout,
            self.config.max_response_bytes,
        )
        .await;
        match &result {
            Ok(e) => {
                debug!(url = %loggable_url(url), status = e.status, elapsed_ms = started.elapsed().as_millis() as u64, "REST call")
            }
            Err(error) => debug!(url = %loggable_url(url), %error, "REST call failed"),
        }
        result
    }

    /// backon's exponential policy for `attempts` requests in all.
    fn retry_policy(&self, attempts: u32) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.config.retry_min_delay)
            .with_max_delay(self.config.retry_max_delay)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(attempts.saturating_sub(1) as usize)
    }
}

/// A response's verdict: the version rejection (in any body, whatever the status, as iOS
/// checks), a non-2xx status with the back end's `errorMessage` when it sent one, or fine.
fn check(exchange: &Exchange) -> Result<(), CallError> {
    let error_body = RestErrorBody::detect(&exchange.body);
    if let Some(body) = error_body
        .as_ref()
        .filter(|b| b.is_sdk_version_not_supported())
    {
        return Err(CallError::SdkVersionNotSupported(
            body.error.error_message.clone(),
        ));
    }
    if !(200..300).contains(&exchange.status) {
        return Err(HttpFailure::Status {
            status: exchange.status,
            message: error_body.map(|b| b.error.error_message),
        }
        .into());
    }
    Ok(())
}

/// Sends `request` and reads the body in chunks, refusing more than `limit` bytes before it
/// is buffered (a declared `Content-Length` over the limit is refused without reading).
async fn read_limited(
    request: reqwest::RequestBuilder,
    timeout: Duration,
    limit: u64,
) -> Result<Exchange, HttpFailure> {
    let classify = |e: reqwest::Error| {
        if e.is_timeout() {
            HttpFailure::Timeout(timeout)
        } else if let Some(problem) = super::trust::tls_problem(&e) {
            HttpFailure::Tls(problem)
        } else if error::is_proxy_login_refusal(&error::causes(&e)) {
            HttpFailure::ProxyAuthenticationRequired
        } else if e.is_connect() {
            // `without_url`: the URL may carry a signature or a token in its query.
            HttpFailure::Connect(e.without_url())
        } else {
            HttpFailure::Transport(e.without_url())
        }
    };
    let mut response = request.send().await.map_err(classify)?;
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(HttpFailure::TooLarge { limit });
    }
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(HttpFailure::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Exchange {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn redirects_obey_the_loopback_rule_on_every_hop() {
        let ok = |u: &str| super::redirect_allowed(&url::Url::parse(u).unwrap()).is_ok();
        assert!(ok("https://bucket.example/k"));
        assert!(ok("http://127.0.0.1:9/k"));
        assert!(ok("http://localhost/k"));
        assert!(!ok("http://10.255.255.1:9/"));
        assert!(!ok("http://bucket.example/k"));
        assert!(!ok("file:///etc/passwd"));
    }

    use super::*;

    fn exchange(status: u16, body: &str) -> Exchange {
        Exchange {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    const TOO_OLD: &str =
        r#"{"error":{"errorCode":"SdkVersionNotSupported","errorMessage":"Upgrade."}}"#;

    #[test]
    fn the_version_rejection_is_found_in_any_body_whatever_the_status() {
        for status in [200, 400, 403, 500] {
            match check(&exchange(status, TOO_OLD)) {
                Err(CallError::SdkVersionNotSupported(message)) => assert_eq!(message, "Upgrade."),
                _ => panic!("status {status}: not detected"),
            }
        }
        let error = CallError::SdkVersionNotSupported("x".into());
        assert!(!error.is_transient(), "never retried");
        assert!(matches!(
            error.into_step(RestError::RegisterVisitor),
            RestError::SdkVersionNotSupported { .. }
        ));
    }

    #[test]
    fn other_statuses_fail_with_the_back_ends_message_when_it_has_one() {
        assert!(check(&exchange(204, "")).is_ok());
        let other = r#"{"error":{"errorCode":"ChannelNotFound","errorMessage":"no channel x"}}"#;
        match check(&exchange(404, other)) {
            Err(CallError::Failed(HttpFailure::Status {
                status: 404,
                message,
            })) => {
                assert_eq!(message.as_deref(), Some("no channel x"));
            }
            _ => panic!("not a status failure"),
        }
        match check(&exchange(502, "<html>bad gateway</html>")) {
            Err(
                e @ CallError::Failed(HttpFailure::Status {
                    status: 502,
                    message: None,
                }),
            ) => {
                assert!(e.is_transient());
            }
            _ => panic!("not a status failure"),
        }
        assert!(
            check(&exchange(200, other)).is_ok(),
            "an error body with 2xx is not a failure"
        );
    }
}
