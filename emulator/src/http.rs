//! The HTTP pieces every REST and admin handler shares: the response body type, JSON, raw and
//! CXone-shaped error responses, and the parsed request with its query parameters.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::HeaderValue;
use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// A response body.
pub(crate) type Body = Full<Bytes>;

/// A JSON response.
pub(crate) fn json_response(status: u16, body: &Value) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

/// A plain response with a content type.
pub(crate) fn raw_response(status: u16, content_type: &str, body: Vec<u8>) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert("content-type", v);
    }
    r
}

/// The error body CXone's REST endpoints use, with a message that says what went wrong.
pub(crate) fn error_response(status: u16, code: &str, message: &str) -> Response<Body> {
    json_response(
        status,
        &json!({"error": {"errorCode": code, "errorMessage": message}}),
    )
}

/// A parsed request, handed to the REST and admin handlers.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub cookie: Option<String>,
    pub body: Bytes,
}

impl Req {
    /// A query parameter.
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        query_param(&self.query, name)
    }
}

/// A query parameter, percent-decoded.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_percent_decoded() {
        let q = "brandId=1000&channelId=chat_single&transactionToken=a%2Bb%3D&empty=&flag";
        assert_eq!(query_param(q, "brandId").as_deref(), Some("1000"));
        assert_eq!(query_param(q, "transactionToken").as_deref(), Some("a+b="));
        assert_eq!(query_param(q, "empty").as_deref(), Some(""));
        assert_eq!(query_param(q, "flag").as_deref(), Some(""));
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é1"), "%é1");
    }
}
