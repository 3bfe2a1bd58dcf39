//! One port serves everything: REST under `/chat/` and `/web-analytics/`, `/oauth/token`, the
//! bucket under `/s3/`, uploaded files under `/files/`, the admin API under `/admin/`, and the
//! WebSocket gateway on any other path when the request asks for an upgrade.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::Shared;
use crate::backend::{TokenKind, now_ms};
use crate::gateway::{self, ConnParams};
use crate::http::{Body, Req, error_response, query_param};
use crate::record::Record;

/// The largest request body accepted (attachments are base64 inside JSON).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

/// Accepts connections until the task is dropped. With `tls`, a connection that opens with a
/// TLS handshake is served over TLS, any other in plain HTTP (the admin API, `curl`).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (shared, tls) = (shared.clone(), tls.clone());
        tokio::spawn(async move {
            let mut first = [0u8; 1];
            let handshake =
                matches!(stream.peek(&mut first).await, Ok(1) if first[0] == TLS_HANDSHAKE);
            match tls.filter(|_| handshake) {
                Some(acceptor) => {
                    // A client that does not trust the certificate ends here, as with a real
                    // tenant behind an unknown root.
                    if let Ok(tls_stream) = acceptor.accept(stream).await {
                        serve(tls_stream, shared).await;
                    }
                }
                None => serve(stream, shared).await,
            }
        });
    }
}

async fn serve<S>(stream: S, shared: Arc<Shared>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| route(req, shared.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}

async fn route(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<Body>, Infallible> {
    if req
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    {
        return Ok(upgrade(req, shared));
    }
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let cookie = req
        .headers()
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            return Ok(error_response(
                413,
                "RequestTooLarge",
                &format!("request body rejected: {e}"),
            ));
        }
    };
    let req = Req {
        method,
        path,
        query,
        cookie,
        body,
    };
    if let Some(rest) = req.path.strip_prefix("/admin/") {
        let rest = rest.to_owned();
        return Ok(crate::admin::handle(&shared, &req, &rest));
    }
    record_rest(&shared, &req);
    Ok(crate::rest::handle(&shared, &req))
}

fn record_rest(shared: &Shared, req: &Req) {
    let body = if req.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&req.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&req.body).into_owned()))
    };
    let mut b = shared.lock();
    let seq = b.records.last().map_or(1, |r| r.seq + 1);
    b.record(Record {
        seq,
        transport: "rest",
        kind: format!("{} {}", req.method, req.path),
        connection: None,
        brand: None,
        channel: None,
        body,
        at_ms: now_ms(),
    });
}

/// The WebSocket handshake (PROTOCOL.md §1.9). The query names brand, channel and visitor;
/// secured-session channels also need a valid `transactionToken`, and a rejected handshake is
/// an HTTP error before the socket ever opens, as on the real gateway.
fn upgrade(req: Request<Incoming>, shared: Arc<Shared>) -> Response<Body> {
    let query = req.uri().query().unwrap_or_default().to_owned();
    let brand = query_param(&query, "brandId").and_then(|b| b.parse::<i64>().ok());
    let channel = query_param(&query, "channelId");
    let (Some(brand), Some(channel)) = (brand, channel) else {
        return error_response(
            400,
            "InvalidRequest",
            "brandId (a number) and channelId are required in the query string",
        );
    };
    let visitor = query_param(&query, "visitorId").filter(|v| !v.is_empty());
    let customer = {
        let mut b = shared.lock();
        let Some(ch) = b.config.channel(brand, &channel) else {
            return error_response(
                404,
                "ChannelNotFound",
                &format!("no channel {channel} in brand {brand}"),
            );
        };
        if ch.secured_sessions {
            let token = query_param(&query, "transactionToken").unwrap_or_default();
            match b.check_token(&token, TokenKind::Transaction).cloned() {
                Some(k) if k.brand == brand && k.channel == channel => {
                    b.customers.entry(k.clone()).or_default();
                    Some(k.customer)
                }
                _ => {
                    return error_response(
                        401,
                        "Unauthorized",
                        "transactionToken is missing, invalid or expired",
                    );
                }
            }
        } else {
            None
        }
    };
    let Some(key) = req
        .headers()
        .get(SEC_WEBSOCKET_KEY)
        .map(|k| derive_accept_key(k.as_bytes()))
    else {
        return error_response(400, "InvalidRequest", "Sec-WebSocket-Key is missing");
    };
    let params = ConnParams {
        brand,
        channel,
        visitor,
        customer,
    };
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        // Buffers sized to CXone's frames (a few KiB, growing for a larger one), not
        // tungstenite's 128 KiB each way: thousands of connected clients fit.
        let config = WebSocketConfig::default()
            .read_buffer_size(8 * 1024)
            .write_buffer_size(0)
            .max_message_size(Some(16 << 20))
            .max_frame_size(Some(16 << 20));
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        gateway::serve(ws, shared, params).await;
    });
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = r.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&key) {
        h.insert(SEC_WEBSOCKET_ACCEPT, v);
    }
    r
}
