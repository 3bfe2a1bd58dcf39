//! The upstream layer: plain async building blocks that speak the CXone chat protocol to the
//! back end (`../shared/cxone/PROTOCOL.md`). No actors live here; the daemon's actors wrap these
//! pieces and own their lifecycles.
//!
//! * [`endpoints`] — where a session's back end lives: [`Endpoints`] from a named environment or
//!   custom URLs, and the URL of every REST call and of the WebSocket.
//! * [`rest`] — [`RestClient`]: one reqwest client for channel configuration, availability,
//!   visitor registration, analytics, attachments, `/oauth/token` and large-event downloads.
//! * [`backoff`] — [`ReconnectBackoff`], the jittered exponential reconnect policy.
//! * [`socket`] — [`socket::connect`]: the WebSocket connection manager (request/response
//!   correlation, heartbeats, in-order resolution of large events) behind a cheap
//!   [`SocketHandle`].
//!
//! Every wire type comes from `cxone_chat_protocol::cxone`; nothing here declares one.
//!
//! **Logging rule:** tokens, authorization codes, pre-signed URLs and message text never reach a
//! log at info level or above. URLs are logged without their query string (which carries the
//! transaction token and S3 signatures).

pub mod backoff;
pub mod endpoints;
pub mod network;
pub mod proxy;
pub mod rest;
pub mod socket;
pub mod trust;

use std::sync::Once;

pub use backoff::{BackoffConfig, ReconnectBackoff};
pub use endpoints::{EndpointError, Endpoints, SocketQuery};
pub use network::Network;
pub use rest::{ChannelTarget, RestClient, RestConfig, RestError, SecuredCookies};
pub use socket::{
    ConnectError, Inbound, InboundReceiver, LargeEvents, RequestError, SocketConfig, SocketHandle,
};

/// How the daemon identifies itself to the back end: the `x-sdk-platform` / `x-sdk-version`
/// headers of every REST call and the `sdkPlatform` / `sdkVersion` query parameters of the
/// WebSocket (and the fields of the same names in `AuthorizeCustomer`).
///
/// The default is platform `linux` and this crate's version: the daemon is its own client, and
/// claiming to be an iOS or Android SDK of some version would make the back end's
/// `SdkVersionNotSupported` decision about an SDK we are not. A deployment whose tenant rejects
/// unknown platforms can configure another identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkIdentity {
    /// E.g. `linux`.
    pub platform: String,
    /// E.g. `0.1.0`.
    pub version: String,
}

impl SdkIdentity {
    /// The platform name the daemon reports by default.
    pub const DEFAULT_PLATFORM: &'static str = "linux";
}

impl Default for SdkIdentity {
    fn default() -> Self {
        Self {
            platform: Self::DEFAULT_PLATFORM.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// Installs aws-lc-rs as the process-wide rustls `CryptoProvider`, once.
///
/// tokio-tungstenite builds its TLS configuration with `ClientConfig::builder()`, which panics
/// with "no process-level CryptoProvider available" on the first `wss://` connect unless a
/// provider is installed (ENGINEERING-NOTES §1.3, gotcha 1). [`RestClient`]'s calls and
/// [`socket::connect`] call this, so callers need not; calling it again is harmless. If some
/// other code installed a provider first, that one stays.
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // `Err` means a provider is already installed, which is all we need.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}

/// The text of a URL safe to log: scheme, host, port and path, never the query string or
/// credentials (transaction tokens and S3 signatures travel in queries).
pub(crate) fn loggable_url(url: &url::Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installing_the_provider_twice_leaves_one_installed() {
        install_crypto_provider();
        install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }

    #[test]
    fn loggable_urls_drop_query_and_credentials() {
        let url = url::Url::parse(
            "https://user:secret@bucket.example:8443/chat/x.json?X-Amz-Signature=abc&t=1",
        )
        .unwrap();
        assert_eq!(
            loggable_url(&url),
            "https://bucket.example:8443/chat/x.json"
        );
    }

    #[test]
    fn the_default_identity_is_linux_and_the_crate_version() {
        let id = SdkIdentity::default();
        assert_eq!(id.platform, "linux");
        assert_eq!(id.version, env!("CARGO_PKG_VERSION"));
    }
}
