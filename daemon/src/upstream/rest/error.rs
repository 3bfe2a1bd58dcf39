//! Errors of the REST client: [`RestError`] names the call that failed, [`HttpFailure`] says
//! how it failed. Messages say what to do; none of them carries a token, a pre-signed URL or a
//! response body (only the back end's own `errorMessage` when it sent one).

use std::time::Duration;

use cxone_chat_protocol::cxone::DecodeError;

/// A failed REST call, named after the step that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestError {
    /// The back end no longer supports the identity this daemon reports (`x-sdk-platform`,
    /// `x-sdk-version`). Retrying cannot help.
    #[error(
        "the back end rejected this client's SDK version ({message}); upgrade cxone-chatd or \
         configure the SDK identity the tenant accepts"
    )]
    SdkVersionNotSupported {
        /// The back end's `errorMessage`.
        message: String,
    },
    /// `GET …/channel/{channelId}` failed, after retries if the failure was transient.
    #[error(
        "could not fetch the channel configuration after {attempts} attempt(s): {failure}; check \
         the environment, brand id and channel id"
    )]
    FetchChannelConfig {
        /// How many requests were made.
        attempts: u32,
        /// The last failure.
        #[source]
        failure: HttpFailure,
    },
    /// `GET …/availability` failed (Android treats this as offline).
    #[error("could not check live-chat availability: {0}")]
    FetchAvailability(#[source] HttpFailure),
    /// The visitor `PUT` failed.
    #[error("could not register the visitor: {0}")]
    RegisterVisitor(#[source] HttpFailure),
    /// An analytics event `POST` failed.
    #[error("could not send the analytics event: {0}")]
    SendAnalyticsEvent(#[source] HttpFailure),
    /// The attachment upload failed (a rejection for size or type is not an error but an
    /// [`AttachmentUploadOutcome::Rejected`](cxone_chat_protocol::cxone::rest::AttachmentUploadOutcome)).
    #[error("could not upload the attachment: {0}")]
    UploadAttachment(#[source] HttpFailure),
    /// `/oauth/token` refused or failed.
    #[error("the token request failed: {failure}{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    RequestToken {
        /// How it failed.
        #[source]
        failure: HttpFailure,
        /// The token endpoint's explanation, with OAuth codes spelled out.
        reason: Option<String>,
    },
    /// Downloading a large event (`EventInS3`) failed, after retries if the failure was
    /// transient.
    #[error(
        "could not download the large event after {attempts} attempt(s){}: {failure}; the event \
         is lost, so recover the thread again",
        status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
    )]
    DownloadLargeEvent {
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// How many requests were made.
        attempts: u32,
        /// The last failure.
        #[source]
        failure: HttpFailure,
    },
    /// The large event's pre-signed URL was refused (HTTP 403: expired or bad signature).
    /// Not retried: the same URL will not work again.
    #[error(
        "the large event's download link expired or was refused (HTTP {status}); the event is \
         lost, so recover the thread again"
    )]
    LargeEventExpired {
        /// 403 in practice.
        status: u16,
    },
    /// The large event is bigger than the configured limit.
    #[error(
        "the large event exceeds the {limit}-byte limit and was not downloaded; raise the \
         large-event size limit if such events are expected"
    )]
    LargeEventTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The download, retries included, did not finish in time: a slow or stalled bucket must
    /// not hold up the session's later events.
    #[error(
        "the large event's download did not finish within {after:?} (retries included) and was given up"
    )]
    LargeEventTooSlow {
        /// The deadline.
        after: std::time::Duration,
    },
    /// The large event's URL is not an http(s) URL.
    #[error("the large event's download link is not a valid http(s) URL: {reason}")]
    LargeEventUrl {
        /// What is wrong with it.
        reason: String,
    },
}

impl RestError {
    /// The HTTP exchange that failed, for the errors that are one.
    fn failure(&self) -> Option<&HttpFailure> {
        match self {
            Self::FetchChannelConfig { failure, .. }
            | Self::FetchAvailability(failure)
            | Self::RegisterVisitor(failure)
            | Self::SendAnalyticsEvent(failure)
            | Self::UploadAttachment(failure)
            | Self::RequestToken { failure, .. }
            | Self::DownloadLargeEvent { failure, .. } => Some(failure),
            Self::LargeEventExpired { .. }
            | Self::SdkVersionNotSupported { .. }
            | Self::LargeEventTooLarge { .. }
            | Self::LargeEventTooSlow { .. }
            | Self::LargeEventUrl { .. } => None,
        }
    }

    /// The HTTP status of the failing response, if the failure was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::LargeEventExpired { status } => Some(*status),
            other => other.failure().and_then(HttpFailure::status),
        }
    }

    /// Whether the connection was refused on this side's terms — the server's certificate is
    /// not trusted, or the proxy wants credentials — so retrying cannot help.
    pub fn is_refused_connection(&self) -> bool {
        matches!(
            self.failure(),
            Some(HttpFailure::Tls(_) | HttpFailure::ProxyAuthenticationRequired)
        )
    }
}

/// How one HTTP exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpFailure {
    /// No connection (DNS, refused, TLS handshake).
    #[error("could not connect: {}", causes(.0))]
    Connect(#[source] reqwest::Error),
    /// No complete response in time.
    #[error("no response within {} s", .0.as_secs_f32())]
    Timeout(Duration),
    /// The connection broke while sending or receiving.
    #[error("the connection failed: {}", causes(.0))]
    Transport(#[source] reqwest::Error),
    /// A response with an unexpected status.
    #[error("HTTP {status}{}", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// The back end's `errorMessage`, when the body had one.
        message: Option<String>,
    },
    /// The response body exceeded the configured limit.
    #[error("the response is larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A 2xx response whose body is not what the protocol says.
    #[error("unexpected response body: {0}")]
    Decode(#[source] DecodeError),
    /// TLS with the server failed: its certificate is not trusted (unknown issuer — a
    /// TLS-inspecting proxy —, expired, issued for another name). Retrying cannot help.
    #[error(
        "TLS with the server failed ({0}); if a proxy inspects TLS, add its root certificate to network.ca_file, otherwise check the environment's URL and the system clock"
    )]
    Tls(String),
    /// The HTTP proxy wants credentials it did not get (HTTP 407). Retrying cannot help.
    #[error(
        "the proxy requires credentials (HTTP 407, or SOCKS5 authentication), or refused the ones given; set network.proxy_credentials_file to a file holding user:password (or user:password@ in HTTPS_PROXY)"
    )]
    ProxyAuthenticationRequired,
    /// No trust roots for https: the system has no CA bundle (or it cannot be read).
    #[error(
        "no trusted CA certificates for https ({0}); install the ca-certificates package, or set SSL_CERT_FILE to a PEM bundle"
    )]
    NoTrustRoots(String),
    /// reqwest could not build its client (its TLS set-up, even without trust roots): not a
    /// network matter, and retrying cannot help.
    #[error(
        "could not set up the HTTP client ({0}); this is a fault of the system or of cxone-chatd, please report it"
    )]
    Setup(String),
}

/// Whether a connect failure's causes say the proxy wants a login: hyper-util's tunnel and
/// SOCKS error types are private, so their messages are all there is to read.
pub(super) fn is_proxy_login_refusal(causes: &str) -> bool {
    let lower = causes.to_ascii_lowercase();
    lower.contains("proxy authorization required")
        || (lower.contains("socks") && lower.contains("auth"))
}

/// An error and its causes on one line: reqwest's own message ("error sending request") says
/// little without the OS or TLS error underneath. The errors carry no URL (`without_url`).
pub(super) fn causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl HttpFailure {
    /// Whether trying again may help: network trouble, timeouts, 5xx, 408 and 429.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect(_) | Self::Timeout(_) | Self::Transport(_) => true,
            Self::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            Self::TooLarge { .. }
            | Self::Decode(_)
            | Self::NoTrustRoots(_)
            | Self::Setup(_)
            | Self::Tls(_)
            | Self::ProxyAuthenticationRequired => false,
        }
    }

    /// The HTTP status, for failures that were responses.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}
