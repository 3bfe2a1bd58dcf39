//! The byte stream under the WebSocket: TCP (direct, or a proxy's tunnel), with TLS over it
//! for `wss`. The TLS state (rustls' connection, about 1.1 KiB) is boxed so that a plain
//! connection does not carry its room, and the TLS set-up is the one `trust::websocket_tls`
//! built once, not the system's roots read again for every connection (as tokio-tungstenite
//! does when it opens the TLS itself).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite;
use url::Url;

use super::ConnectError;
use crate::upstream::trust::{self, ExtraRoots};

/// A connection's stream.
#[derive(Debug)]
pub(crate) enum Transport {
    /// Plain TCP (`ws`, loopback only).
    Plain(TcpStream),
    /// TLS over TCP (`wss`).
    Tls(Box<TlsStream<TcpStream>>),
}

/// `stream` as `url` asks: TLS for `wss`, verified against the system's roots and `extra`.
pub(super) async fn wrap(
    stream: TcpStream,
    url: &Url,
    extra: &ExtraRoots,
) -> Result<Transport, ConnectError> {
    if url.scheme() != "wss" {
        return Ok(Transport::Plain(stream));
    }
    let host = url.host_str().unwrap_or_default();
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
        .map_err(|_| ConnectError::Tls(tungstenite::error::TlsError::InvalidDnsName))?;
    let config = trust::websocket_tls(extra)
        .await
        .map_err(|why| ConnectError::Network(io::Error::other(why)))?;
    // A refused certificate comes back as an I/O error wrapping rustls' own, classified as the
    // WebSocket's other connect errors are.
    let tls = TlsConnector::from(config)
        .connect(name, stream)
        .await
        .map_err(|e| super::classify_connect_error(tungstenite::Error::Io(e)))?;
    Ok(Transport::Tls(Box::new(tls)))
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            Self::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
