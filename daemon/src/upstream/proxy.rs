//! HTTP and SOCKS5 proxies, for REST and the WebSocket alike: the proxy comes from `network.proxy` or, when
//! that is not set, from the environment as curl reads it (`HTTPS_PROXY`/`https_proxy` for
//! https and wss, `http_proxy` — lower case only — for http and ws, `ALL_PROXY`/`all_proxy`
//! for both), and `NO_PROXY`/`no_proxy` names the hosts reached directly (`*`, a host, or a domain
//! with or without its leading dot, or an IP range in CIDR notation; like curl, loopback is not
//! bypassed implicitly). The WebSocket goes through an HTTP `CONNECT` tunnel or a SOCKS5
//! `CONNECT` (tokio-tungstenite has no proxy support); REST uses reqwest's proxy with the same
//! rules. `socks5://` resolves the back end's name locally, `socks5h://` lets the proxy resolve
//! it (as curl). Plain http (whose targets are loopback only) goes through a proxy only when the
//! proxy is on loopback too: nothing travels in the clear beyond this machine.
//!
//! Credentials come from the proxy URL's `user:password@` (the environment) or from
//! `network.proxy_credentials_file`; they travel only in `Proxy-Authorization` and are never
//! logged.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

/// Why the proxy could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The proxy's URL cannot be used.
    #[error(
        "the proxy URL {0:?} cannot be used: give http://HOST:PORT, socks5://HOST:PORT or socks5h://HOST:PORT"
    )]
    BadUrl(String),
    /// The SOCKS5 proxy refused or failed the connection.
    #[error("the SOCKS5 proxy {proxy} could not connect to {target}: {reason}")]
    Socks {
        /// The proxy.
        proxy: String,
        /// Where to.
        target: String,
        /// What it said.
        reason: String,
    },
    /// The proxy did not answer.
    #[error("cannot reach the proxy {proxy}: {source}; check network.proxy or HTTPS_PROXY")]
    Reach {
        /// Where it was looked for.
        proxy: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The proxy wants credentials it did not get, or refused them.
    #[error(
        "the proxy {proxy} requires credentials (HTTP 407 or SOCKS5 authentication){}; set network.proxy_credentials_file to a file holding user:password",
        if *.sent { ", and refused the ones given" } else { "" }
    )]
    AuthenticationRequired {
        /// The proxy.
        proxy: String,
        /// Whether credentials were sent.
        sent: bool,
    },
    /// The proxy refused the tunnel.
    #[error("the proxy {proxy} refused to open a tunnel to {target}: HTTP {status}")]
    Refused {
        /// The proxy.
        proxy: String,
        /// Where to.
        target: String,
        /// Its answer.
        status: u16,
    },
    /// The proxy's answer is not HTTP.
    #[error("the proxy {0} did not answer CONNECT with HTTP")]
    NotHttp(String),
}

/// One proxy and its credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    /// `http://host:port`, `socks5://host:port` or `socks5h://host:port`, without credentials.
    pub url: Url,
    /// `user`, `password`.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url.as_str())
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Proxy {
    /// Reads `http://[user:password@]host:port`; the credentials move out of the URL.
    pub fn parse(text: &str) -> Result<Self, ProxyError> {
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|_| ProxyError::BadUrl(redact(text)))?;
        if !matches!(url.scheme(), "http" | "socks5" | "socks5h") || url.host_str().is_none() {
            return Err(ProxyError::BadUrl(redact(text)));
        }
        let credentials = (!url.username().is_empty()).then(|| {
            (
                percent_decode(url.username()),
                percent_decode(url.password().unwrap_or_default()),
            )
        });
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(Self { url, credentials })
    }

    fn authority(&self) -> String {
        let default_port = if self.is_socks() { 1080 } else { 80 };
        format!(
            "{}:{}",
            self.url.host_str().unwrap_or_default(),
            self.url.port_or_known_default().unwrap_or(default_port)
        )
    }

    fn is_loopback(&self) -> bool {
        match self.url.host() {
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        }
    }

    fn is_socks(&self) -> bool {
        self.url.scheme() != "http"
    }

    /// The proxy as `check-config` and the logs show it: the password masked.
    pub fn masked(&self) -> String {
        let url = self.url.as_str().trim_end_matches('/');
        match &self.credentials {
            Some((user, _)) => match url.split_once("://") {
                Some((scheme, rest)) => format!("{scheme}://{user}:<redacted>@{rest}"),
                None => url.to_owned(),
            },
            None => url.to_owned(),
        }
    }

    /// `Basic …` for `Proxy-Authorization`.
    fn basic(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Some(format!("Basic {token}"))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A proxy URL as it may be shown: its credentials masked.
fn redact(text: &str) -> String {
    match text.rsplit_once('@') {
        Some((before, after)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://<redacted>@{after}"),
            None => format!("<redacted>@{after}"),
        },
        None => text.to_owned(),
    }
}

/// Which proxy, if any, each connection uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyRules {
    /// For https and wss.
    pub secure: Option<Proxy>,
    /// For http and ws.
    pub plain: Option<Proxy>,
    /// Hosts reached directly.
    pub no_proxy: Vec<String>,
}

impl ProxyRules {
    /// The rules: `configured` (with its credentials) when given, else the environment's.
    pub fn resolve(
        configured: Option<Proxy>,
        env: &HashMap<String, String>,
    ) -> Result<Self, ProxyError> {
        let var = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| env.get(*n).filter(|v| !v.trim().is_empty()))
                .cloned()
        };
        let no_proxy = var(&["NO_PROXY", "no_proxy"])
            .map(|v| {
                v.split(',')
                    .map(|e| e.trim().to_ascii_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(p) = configured {
            return Ok(Self {
                secure: Some(p.clone()),
                plain: Some(p),
                no_proxy,
            });
        }
        let all = var(&["ALL_PROXY", "all_proxy"]);
        let parse = |v: Option<String>| v.map(|v| Proxy::parse(&v)).transpose();
        Ok(Self {
            secure: parse(var(&["HTTPS_PROXY", "https_proxy"]).or_else(|| all.clone()))?,
            // Lower case only, as curl: `HTTP_PROXY` may be set by a CGI request's header.
            plain: parse(var(&["http_proxy"]).or(all))?,
            no_proxy,
        })
    }

    /// The proxy for `url`, or `None` to connect directly.
    pub fn for_url(&self, url: &Url) -> Option<&Proxy> {
        let host = url
            .host_str()?
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        if self.no_proxy.iter().any(|e| bypasses(e, &host)) {
            return None;
        }
        match url.scheme() {
            "https" | "wss" => self.secure.as_ref(),
            // Plain http goes only to loopback, on every hop: a plain target (always loopback,
            // see endpoints.rs) goes through a proxy only when that proxy is on loopback too.
            _ => self.plain.as_ref().filter(|p| p.is_loopback()),
        }
    }
}

/// Whether a `NO_PROXY` entry names `host` (curl's rules: `*`, a name or domain, an address,
/// or a CIDR range that matches an address given literally — names are not resolved for it).
fn bypasses(entry: &str, host: &str) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((network, bits)) = entry.split_once('/') {
        return in_range(network.trim_matches(['[', ']']), bits, host);
    }
    // A port in the entry is ignored, as curl does.
    let entry = entry.rsplit_once(':').map_or(entry, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') {
            h
        } else {
            entry
        }
    });
    let domain = entry.trim_start_matches('.');
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// Whether the address `host` lies in `network/bits`.
fn in_range(network: &str, bits: &str, host: &str) -> bool {
    use std::net::IpAddr;
    let (Ok(network), Ok(bits), Ok(host)) = (
        network.parse::<IpAddr>(),
        bits.parse::<u32>(),
        host.parse::<IpAddr>(),
    ) else {
        return false;
    };
    let prefix = |width: u32, a: u128, b: u128| {
        bits <= width && (bits == 0 || (a ^ b) >> (width - bits) == 0)
    };
    match (network, host) {
        (IpAddr::V4(n), IpAddr::V4(h)) => {
            prefix(32, u128::from(u32::from(n)), u128::from(u32::from(h)))
        }
        (IpAddr::V6(n), IpAddr::V6(h)) => prefix(128, u128::from(n), u128::from(h)),
        _ => false,
    }
}

/// Opens a TCP stream to `target_host:target_port` through `proxy`: HTTP `CONNECT`, or SOCKS5's.
pub(crate) async fn tunnel(
    proxy: &Proxy,
    target_host: &str,
    target_port: u16,
    timeout: Duration,
) -> Result<TcpStream, ProxyError> {
    if proxy.is_socks() {
        socks_tunnel(proxy, target_host, target_port, timeout).await
    } else {
        http_tunnel(proxy, target_host, target_port, timeout).await
    }
}

/// SOCKS5 `CONNECT` (RFC 1928, with RFC 1929's user and password when there are credentials).
async fn socks_tunnel(
    proxy: &Proxy,
    target_host: &str,
    target_port: u16,
    timeout: Duration,
) -> Result<TcpStream, ProxyError> {
    use tokio_socks::tcp::Socks5Stream;
    let shown = proxy.url.as_str().trim_end_matches('/').to_owned();
    let target = format!("{target_host}:{target_port}");
    let work = async {
        let reach = |source| ProxyError::Reach {
            proxy: shown.clone(),
            source,
        };
        // socks5: the name is resolved here; socks5h: the proxy resolves it.
        let address = if proxy.url.scheme() == "socks5" {
            let found =
                tokio::net::lookup_host((target_host.trim_matches(['[', ']']), target_port))
                    .await
                    .map_err(reach)?
                    .next()
                    .ok_or_else(|| {
                        reach(std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            format!("{target_host} has no address"),
                        ))
                    })?;
            tokio_socks::TargetAddr::Ip(found)
        } else {
            tokio_socks::TargetAddr::Domain(
                target_host.trim_matches(['[', ']']).to_owned().into(),
                target_port,
            )
        };
        let socket = TcpStream::connect(proxy.authority()).await.map_err(reach)?;
        let _ = socket.set_nodelay(true);
        let connected = match &proxy.credentials {
            Some((user, password)) => {
                Socks5Stream::connect_with_password_and_socket(socket, address, user, password)
                    .await
            }
            None => Socks5Stream::connect_with_socket(socket, address).await,
        };
        connected
            .map(Socks5Stream::into_inner)
            .map_err(|e| match e {
                tokio_socks::Error::Io(io) => reach(io),
                tokio_socks::Error::PasswordAuthFailure(_)
                | tokio_socks::Error::NoAcceptableAuthMethods => {
                    ProxyError::AuthenticationRequired {
                        proxy: shown.clone(),
                        sent: proxy.credentials.is_some(),
                    }
                }
                other => ProxyError::Socks {
                    proxy: shown.clone(),
                    target: target.clone(),
                    reason: other.to_string(),
                },
            })
    };
    within(timeout, &shown, work).await
}

/// HTTP `CONNECT`.
async fn http_tunnel(
    proxy: &Proxy,
    target_host: &str,
    target_port: u16,
    timeout: Duration,
) -> Result<TcpStream, ProxyError> {
    let shown = proxy.url.as_str().trim_end_matches('/').to_owned();
    let reach = |source| ProxyError::Reach {
        proxy: shown.clone(),
        source,
    };
    let work = async {
        let mut stream = TcpStream::connect(proxy.authority()).await.map_err(reach)?;
        let _ = stream.set_nodelay(true);
        let target = if target_host.contains(':') {
            format!("[{target_host}]:{target_port}")
        } else {
            format!("{target_host}:{target_port}")
        };
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(auth) = proxy.basic() {
            request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await.map_err(reach)?;
        // The answer's head, byte by byte: nothing of the tunnel may be read past it.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 16 * 1024 {
                return Err(ProxyError::NotHttp(shown.clone()));
            }
            let mut b = [0u8; 1];
            if stream.read(&mut b).await.map_err(reach)? == 0 {
                return Err(ProxyError::NotHttp(shown.clone()));
            }
            head.push(b[0]);
        }
        let text = String::from_utf8_lossy(&head);
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .filter(|_| text.starts_with("HTTP/"))
            .ok_or_else(|| ProxyError::NotHttp(shown.clone()))?;
        match status {
            200..=299 => Ok(stream),
            407 => Err(ProxyError::AuthenticationRequired {
                proxy: shown.clone(),
                sent: proxy.credentials.is_some(),
            }),
            status => Err(ProxyError::Refused {
                proxy: shown.clone(),
                target,
                status,
            }),
        }
    };
    within(timeout, &shown, work).await
}

/// `work` (a tunnel's setup), or a timeout naming the proxy that did not answer.
async fn within(
    timeout: Duration,
    proxy: &str,
    work: impl Future<Output = Result<TcpStream, ProxyError>>,
) -> Result<TcpStream, ProxyError> {
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| {
            Err(ProxyError::Reach {
                proxy: proxy.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer to CONNECT"),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_environment_is_read_as_curl_reads_it() {
        let rules = ProxyRules::resolve(
            None,
            &env(&[
                ("https_proxy", "http://ann:s%40cret@proxy.corp:3128"),
                ("HTTP_PROXY", "http://ignored:1"),
                ("NO_PROXY", "internal.corp, .example.com,10.0.0.5:8080"),
            ]),
        )
        .unwrap();
        let p = |u: &str| {
            rules
                .for_url(&Url::parse(u).unwrap())
                .map(|p| p.url.as_str().to_owned())
        };
        assert_eq!(
            p("wss://chat.niceincontact.com/"),
            Some("http://proxy.corp:3128/".into())
        );
        assert_eq!(
            p("http://127.0.0.1:9/"),
            None,
            "HTTP_PROXY is not read, as curl"
        );
        let plain =
            ProxyRules::resolve(None, &env(&[("http_proxy", "http://proxy.corp:3128")])).unwrap();
        assert!(
            plain
                .for_url(&Url::parse("http://127.0.0.1:9/").unwrap())
                .is_none(),
            "plain http never crosses a non-loopback hop"
        );
        let local =
            ProxyRules::resolve(None, &env(&[("http_proxy", "http://127.0.0.1:8080")])).unwrap();
        assert!(
            local
                .for_url(&Url::parse("ws://127.0.0.1:9/").unwrap())
                .is_some(),
            "a loopback proxy may carry it"
        );
        assert_eq!(p("https://internal.corp/x"), None);
        assert_eq!(p("https://a.internal.corp/x"), None);
        assert_eq!(p("https://example.com/"), None);
        assert_eq!(p("https://www.example.com/"), None);
        assert_eq!(p("https://10.0.0.5/"), None);
        assert_eq!(
            p("https://notexample.com/"),
            Some("http://proxy.corp:3128/".into())
        );
        assert_eq!(
            rules.secure.as_ref().unwrap().credentials,
            Some(("ann".into(), "s@cret".into()))
        );
        assert!(
            !format!("{rules:?}").contains("s@cret"),
            "credentials never shown"
        );
    }

    #[test]
    fn a_configured_proxy_wins_and_all_proxy_covers_both() {
        let configured = Proxy::parse("http://cfg:8080").unwrap();
        let rules = ProxyRules::resolve(
            Some(configured.clone()),
            &env(&[("https_proxy", "http://e:1")]),
        )
        .unwrap();
        assert_eq!(rules.secure, Some(configured.clone()));
        assert_eq!(rules.plain, Some(configured));
        let all = ProxyRules::resolve(
            None,
            &env(&[("ALL_PROXY", "proxy:3128"), ("no_proxy", "*")]),
        )
        .unwrap();
        assert_eq!(
            all.secure.as_ref().unwrap().url.as_str(),
            "http://proxy:3128/"
        );
        assert!(
            all.for_url(&Url::parse("https://x/").unwrap()).is_none(),
            "* bypasses all"
        );
        assert!(matches!(
            Proxy::parse("https://p:1"),
            Err(ProxyError::BadUrl(_))
        ));
        let socks = Proxy::parse("socks5h://ann:pw@p:1080").unwrap();
        assert!(socks.is_socks());
        assert_eq!(socks.masked(), "socks5h://ann:<redacted>@p:1080");
        let bad = Proxy::parse("ftp://u:secret@p:1").unwrap_err().to_string();
        assert!(!bad.contains("secret"), "{bad}");
    }

    #[test]
    fn no_proxy_ranges_match_addresses_given_literally() {
        let rules = ProxyRules::resolve(
            None,
            &env(&[
                ("https_proxy", "http://proxy:3128"),
                ("no_proxy", "10.0.0.0/8,192.168.1.0/24,fd00::/8,0.0.0.0/0x"),
            ]),
        )
        .unwrap();
        let direct = |u: &str| rules.for_url(&Url::parse(u).unwrap()).is_none();
        assert!(direct("https://10.200.3.4/"));
        assert!(direct("https://192.168.1.77:8443/"));
        assert!(!direct("https://192.168.2.1/"));
        assert!(direct("https://[fd12::1]/"));
        assert!(!direct("https://[fe80::1]/"));
        assert!(
            !direct("https://ten.example/"),
            "a name is not resolved for a range"
        );
        assert!(in_range("0.0.0.0", "0", "8.8.8.8"));
        assert!(!in_range("10.0.0.0", "33", "10.0.0.1"), "no such prefix");
    }
}
