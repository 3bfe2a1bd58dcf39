//! The admin API under `/admin/` (documented in `emulator/README.md`): act as the agent, inject
//! faults, and read back what the emulator received. JSON in, JSON out; every error names what
//! was wrong.

use cxone_chat_protocol::cxone::common::{Agent, ContactStatus, UuidString};
use cxone_chat_protocol::cxone::content::MessageContent;
use hyper::{Method, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::Shared;
use crate::backend::{Backend, Outbound, TokenKind};
use crate::effect::AgentAction;
use crate::faults::FaultsRequest;
use crate::http::{Body, Req, error_response, json_response};

/// Routes `/admin/<rest>`.
pub(crate) fn handle(shared: &std::sync::Arc<Shared>, req: &Req, rest: &str) -> Response<Body> {
    let result = match (&req.method, rest.trim_end_matches('/')) {
        (&Method::GET, "received") => Ok(received(&shared.lock(), req)),
        (&Method::GET, "threads") => Ok(threads(&shared.lock())),
        (&Method::GET, "connections") => Ok(connections(&shared.lock())),
        (&Method::GET, "config") => Ok(crate::backend::json(&config_summary(&shared.lock()))),
        (&Method::POST, "agent/say") => body(req).and_then(|b: Say| say(shared, b)),
        (&Method::POST, "agent/typing") => body(req).and_then(|b: Typing| {
            let t = thread_id(&b.thread_id)?;
            found(shared.lock().typing(&t, b.typing), "thread")
        }),
        (&Method::POST, "agent/assign") => body(req).and_then(|b: Assign| {
            let t = thread_id(&b.thread_id)?;
            let mut backend = shared.lock();
            if backend.thread(&t).is_none() {
                return Err((404, "unknown threadId".into()));
            }
            Ok(json!({"changed": backend.assign(&t, b.agent)}))
        }),
        (&Method::POST, "agent/queue") => body(req).and_then(|b: Queue| {
            let t = thread_id(&b.thread_id)?;
            let mut backend = shared.lock();
            if backend.thread(&t).is_none() {
                return Err((404, "unknown threadId".into()));
            }
            backend.run_agent(AgentAction::Queue {
                thread: t,
                positions: vec![b.position],
                step: std::time::Duration::ZERO,
            });
            Ok(json!({}))
        }),
        (&Method::POST, "agent/read") => body(req).and_then(|b: ThreadOnly| {
            let t = thread_id(&b.thread_id)?;
            let mut backend = shared.lock();
            if backend.thread(&t).is_none() {
                return Err((404, "unknown threadId".into()));
            }
            backend.run_agent(AgentAction::Read { thread: t });
            Ok(json!({}))
        }),
        (&Method::POST, "agent/case-status") => {
            body(req).and_then(|b: CaseStatus| case_status(shared, b))
        }
        (&Method::POST, "agent/proactive") => body(req).map(|b: Proactive| {
            let mut backend = shared.lock();
            let conns = connections_of(&backend, b.connection, b.customer_id.as_deref());
            for conn in &conns {
                backend.run_agent(AgentAction::Proactive {
                    conn: *conn,
                    trigger: Some(b.trigger.clone().unwrap_or_else(|| "admin".into())),
                });
            }
            json!({"connections": conns})
        }),
        (&Method::POST, "raw") => body(req).and_then(|b: Raw| {
            let mut backend = shared.lock();
            let text = match (b.text, b.frame) {
                (Some(t), None) => t,
                (None, Some(f)) => f.to_string(),
                _ => {
                    return Err((
                        400,
                        "give exactly one of text (sent verbatim) or frame (JSON)".into(),
                    ));
                }
            };
            let conns = connections_of(&backend, b.connection, b.customer_id.as_deref());
            for conn in &conns {
                backend.send_text(*conn, text.clone());
            }
            Ok(json!({"connections": conns}))
        }),
        (&Method::POST, "availability") => body(req).and_then(|b: SetAvailability| {
            let mut backend = shared.lock();
            let brand = b.brand_id.unwrap_or(1000);
            // The configuration is shared read-only with requests in flight; replace it whole.
            let mut config = (*backend.config).clone();
            let channel = config
                .brands
                .get_mut(&brand)
                .and_then(|br| br.channels.get_mut(&b.channel_id))
                .ok_or((404, format!("no channel {} in brand {brand}", b.channel_id)))?;
            channel.online = b.online;
            backend.config = std::sync::Arc::new(config);
            Ok(json!({"channelId": b.channel_id, "online": b.online}))
        }),
        (&Method::POST, "faults") => body(req).map(|b: FaultsRequest| {
            shared.lock().faults.apply(b);
            json!({})
        }),
        (&Method::POST, "faults/drop-sockets") => body(req).map(|b: Drop| {
            let backend = shared.lock();
            let conns = connections_of(&backend, b.connection, b.customer_id.as_deref());
            for conn in &conns {
                let out = match b.close_code {
                    Some(code) => Outbound::Close(code, "closed by the emulator's admin API"),
                    None => Outbound::Abort,
                };
                let _ = backend.conns[conn].tx.send(out);
            }
            json!({"connections": conns})
        }),
        (&Method::POST, "faults/expire-tokens") => {
            let mut backend = shared.lock();
            let now = std::time::Instant::now();
            let mut n = 0;
            for t in backend
                .tokens
                .values_mut()
                .filter(|t| t.kind != TokenKind::ThirdPartyRefresh)
            {
                t.expires = now;
                n += 1;
            }
            Ok(json!({"expired": n}))
        }
        (&Method::POST, "faults/expire-bucket-urls") => {
            shared.lock().bucket.expire_all();
            Ok(json!({}))
        }
        (&Method::POST, "reset") => {
            shared.lock().reset();
            Ok(json!({}))
        }
        _ => Err((
            404,
            format!(
                "no admin route {} /admin/{rest}; see emulator/README.md",
                req.method
            ),
        )),
    };
    match result {
        Ok(v) => json_response(200, &v),
        Err((status, message)) => error_response(status, "AdminRequestFailed", &message),
    }
}

type AdminResult = Result<Value, (u16, String)>;

fn body<T: DeserializeOwned>(req: &Req) -> Result<T, (u16, String)> {
    let bytes: &[u8] = if req.body.is_empty() {
        b"{}"
    } else {
        &req.body
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de)
        .map_err(|e| (400, format!("invalid body at {}: {}", e.path(), e.inner())))
}

fn thread_id(s: &str) -> Result<UuidString, (u16, String)> {
    UuidString::parse(s).map_err(|e| (400, format!("threadId: {e}")))
}

fn found(ok: bool, what: &str) -> AdminResult {
    if ok {
        Ok(json!({}))
    } else {
        Err((404, format!("unknown {what}")))
    }
}

/// Connections selected by id, by customer, or all when neither is given.
fn connections_of(b: &Backend, connection: Option<u64>, customer: Option<&str>) -> Vec<u64> {
    let mut ids: Vec<u64> = b
        .conns
        .iter()
        .filter(|(id, c)| {
            connection.is_none_or(|x| x == **id)
                && customer.is_none_or(|x| c.customer.as_deref() == Some(x))
        })
        .map(|(id, _)| *id)
        .collect();
    ids.sort_unstable();
    ids
}

/// `POST /admin/availability`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SetAvailability {
    brand_id: Option<i64>,
    channel_id: String,
    online: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Say {
    thread_id: String,
    text: Option<String>,
    /// Any `messageContent` JSON (rich content, inactivity popup).
    content: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Typing {
    thread_id: String,
    typing: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Assign {
    thread_id: String,
    agent: Option<Agent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Queue {
    thread_id: String,
    position: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ThreadOnly {
    thread_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CaseStatus {
    thread_id: Option<String>,
    contact_id: Option<String>,
    status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Proactive {
    connection: Option<u64>,
    customer_id: Option<String>,
    trigger: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Raw {
    connection: Option<u64>,
    customer_id: Option<String>,
    text: Option<String>,
    frame: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Drop {
    connection: Option<u64>,
    customer_id: Option<String>,
    /// Close gracefully with this code; absent drops the TCP connection abruptly.
    close_code: Option<u16>,
}

fn say(shared: &Shared, b: Say) -> AdminResult {
    let t = thread_id(&b.thread_id)?;
    let content = match (b.text, b.content) {
        (Some(text), None) => MessageContent::text(text),
        (None, Some(v)) => {
            MessageContent::from_value(v).map_err(|e| (400, format!("content: {e}")))?
        }
        _ => return Err((400, "give exactly one of text or content".into())),
    };
    let mut backend = shared.lock();
    match backend.thread(&t) {
        None => return Err((404, "unknown threadId".into())),
        Some(rec) if !rec.is_open() => return Err((409, "the thread is closed".into())),
        Some(_) => {}
    }
    let m = backend
        .agent_says(&t, content)
        .ok_or((409, "the thread is closed".to_owned()))?;
    Ok(json!({"messageId": m.id_on_external_platform}))
}

fn case_status(shared: &Shared, b: CaseStatus) -> AdminResult {
    let status: ContactStatus =
        serde_json::from_value(json!(b.status)).map_err(|e| (400, e.to_string()))?;
    let mut backend = shared.lock();
    let contact = match (b.thread_id, b.contact_id) {
        (Some(t), None) => backend
            .thread(&thread_id(&t)?)
            .map(|t| t.contact.id.clone()),
        (None, Some(c)) => Some(c),
        _ => return Err((400, "give exactly one of threadId or contactId".into())),
    };
    let contact = contact.ok_or((404, "unknown thread".to_owned()))?;
    found(backend.set_case_status(&contact, status), "contact")
}

fn received(b: &Backend, req: &Req) -> Value {
    let transport = req.param("transport");
    let kind = req.param("kind");
    let since = req
        .param("since")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let items: Vec<&crate::record::Record> = b
        .records
        .iter()
        .filter(|r| r.seq > since)
        .filter(|r| transport.as_deref().is_none_or(|t| r.transport == t))
        .filter(|r| kind.as_deref().is_none_or(|k| r.kind == k))
        .collect();
    crate::backend::json(&items)
}

fn threads(b: &Backend) -> Value {
    let mut list: Vec<Value> = b
        .threads
        .values()
        .map(|t| {
            json!({
                "threadId": t.id,
                "brandId": t.key.brand,
                "channelId": t.key.channel,
                "customerId": t.key.customer,
                "name": t.name,
                "canAddMoreMessages": t.can_add_more,
                "createdMs": t.created_ms,
                "contact": {
                    "id": t.contact.id,
                    "status": t.contact.status,
                    "customFields": t.contact.custom_fields,
                    "assignee": t.contact.assignee,
                    "queuePosition": t.contact.queue_position,
                    "transcriptsSentTo": t.contact.transcripts_sent_to,
                },
                "messages": t.messages,
            })
        })
        .collect();
    list.sort_by_key(|v| v["createdMs"].as_i64());
    Value::Array(list)
}

fn connections(b: &Backend) -> Value {
    let mut list: Vec<Value> = b
        .conns
        .iter()
        .map(|(id, c)| json!({"connection": id, "brandId": c.brand, "channelId": c.channel, "visitorId": c.visitor, "customerId": c.customer}))
        .collect();
    list.sort_by_key(|v| v["connection"].as_u64());
    Value::Array(list)
}

fn config_summary(b: &Backend) -> Value {
    let brands: serde_json::Map<String, Value> = b
        .config
        .brands
        .iter()
        .map(|(id, brand)| {
            (
                id.to_string(),
                Value::Array(
                    brand
                        .channels
                        .keys()
                        .map(|c| Value::String(c.clone()))
                        .collect(),
                ),
            )
        })
        .collect();
    json!({"largeEventThreshold": b.config.large_event_threshold, "brands": brands})
}
