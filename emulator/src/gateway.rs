//! The WebSocket gateway: one task per connection that reads client frames, hands them to the
//! chat logic, and writes whatever the back end queues for the connection. Replies and agent
//! actions come back as [`Effect`]s; [`execute`] carries them out, applying the delay and
//! withhold faults and timing the agent.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::Shared;
use crate::backend::{Conn, Outbound};
use crate::effect::Effect;
use crate::outbound;

/// Who a new connection is, from its URL query (and transaction token).
#[derive(Debug, Clone)]
pub(crate) struct ConnParams {
    pub brand: i64,
    pub channel: String,
    pub visitor: Option<String>,
    /// Known up front when a transaction token authenticated the handshake.
    pub customer: Option<String>,
}

/// Serves one upgraded connection until either side closes it.
pub(crate) async fn serve(
    ws: WebSocketStream<TokioIo<Upgraded>>,
    shared: Arc<Shared>,
    params: ConnParams,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let authorized = params.customer.is_some();
    let (id, effects) = {
        let mut b = shared.lock();
        let id = b.add_conn(Conn {
            brand: params.brand,
            channel: params.channel,
            visitor: params.visitor,
            customer: params.customer,
            destination: None,
            tx,
        });
        let effects = if authorized {
            b.on_authorized(id)
        } else {
            Vec::new()
        };
        (id, effects)
    };
    execute(&shared, id, effects);
    let mut ws = ws;
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outbound::Text(text)) => {
                    if ws.send(WsMessage::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outbound::Close(code, reason)) => {
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    let _ = ws.close(Some(frame)).await;
                    break;
                }
                // Abort: drop the TCP connection without a close frame, as a network failure would.
                Some(Outbound::Abort) | None => break,
            },
            msg = ws.next() => match msg {
                Some(Ok(WsMessage::Text(text))) => {
                    let effects = shared.lock().handle_client_text(id, text.as_str());
                    execute(&shared, id, effects);
                }
                // The client closes: tungstenite has queued the answering close frame, which
                // the closing handshake requires; flush it before letting go of the socket.
                Some(Ok(WsMessage::Close(_))) => {
                    let _ = ws.flush().await;
                    break;
                }
                // Pings are answered by tungstenite itself; binary frames mean nothing here,
                // as for every SDK.
                Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    shared.lock().conns.remove(&id);
}

/// Carries out effects for the request that came from `conn`, in order: a delayed reply holds
/// back everything after it (the echo of a message and the agent's reactions still follow their
/// reply), and the timed agent actions of one batch run one after the other in one task, so a
/// busy runtime cannot reorder them (typing must not end before it started).
pub(crate) fn execute(shared: &Arc<Shared>, conn: u64, effects: Vec<Effect>) {
    let mut effects = effects.into_iter();
    let mut timed = Vec::new();
    while let Some(effect) = effects.next() {
        match effect {
            Effect::Reply { event_type, frame } => {
                let delay = {
                    let mut b = shared.lock();
                    if b.faults.withhold_reply(&event_type) {
                        continue;
                    }
                    match b.faults.reply_delay(&event_type) {
                        Some(d) => d,
                        None => {
                            outbound::send(&mut b, conn, &frame);
                            continue;
                        }
                    }
                };
                let rest: Vec<Effect> = effects.by_ref().collect();
                let shared = shared.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    outbound::send(&mut shared.lock(), conn, &frame);
                    execute(&shared, conn, rest);
                });
            }
            Effect::Agent { after, action } if after.is_zero() => {
                let more = shared.lock().run_agent(action);
                execute(shared, conn, more);
            }
            Effect::Agent { after, action } => timed.push((after, action)),
        }
    }
    if timed.is_empty() {
        return;
    }
    // Stable: actions due at the same moment keep the order they were planned in.
    timed.sort_by_key(|(after, _)| *after);
    let shared = shared.clone();
    tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        for (after, action) in timed {
            tokio::time::sleep_until(start + after).await;
            let more = shared.lock().run_agent(action);
            execute(&shared, conn, more);
        }
    });
}
