//! The WebSocket side: a CXone client that sends typed events and waits for the frames that
//! answer them, keeping every other frame queued (with its arrival number) for later waits.

use std::collections::VecDeque;

use cxone_chat_protocol::cxone::common::{BrandRef, IdRef};
use cxone_chat_protocol::cxone::common::{CustomerIdentity, UuidString};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::events::ConsumerAuthorized;
use cxone_chat_protocol::cxone::received::{
    EventBody, OperationError, ReceivedEvent, ReceivedFrame,
};
use cxone_chat_protocol::cxone::sent::{
    AuthorizeCustomerData, IdentityKey, MessageData, OAuthAuthorization, OutgoingFrame, Payload,
    SentEvent,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{DEADLINE, assert_is_ack, message_data, recover_data, uuid};

pub(super) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One text frame the client received, in arrival order (`seq`).
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) seq: usize,
    pub(crate) text: String,
    pub(crate) decoded: Result<ReceivedFrame, String>,
}

impl Frame {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn frame(&self) -> &ReceivedFrame {
        self.decoded
            .as_ref()
            .unwrap_or_else(|e| panic!("frame does not decode ({e}): {}", self.text))
    }

    /// The reply or push; fails the test on errors and pongs.
    pub(crate) fn event(&self) -> &ReceivedEvent {
        match self.frame() {
            ReceivedFrame::Event(e) => e,
            other => panic!("expected an event, got {other:?}: {}", self.text),
        }
    }

    /// The operation error; fails the test on anything else.
    pub(crate) fn error(&self) -> &OperationError {
        match self.frame() {
            ReceivedFrame::OperationError(e) => e,
            other => panic!("expected an operation error, got {other:?}: {}", self.text),
        }
    }

    pub(crate) fn event_id(&self) -> Option<&str> {
        self.decoded.as_ref().ok().and_then(ReceivedFrame::event_id)
    }

    pub(crate) fn event_type(&self) -> Option<&str> {
        match &self.decoded {
            Ok(ReceivedFrame::Event(e)) => Some(&e.event_type),
            _ => None,
        }
    }

    pub(crate) fn is_pong(&self) -> bool {
        matches!(self.decoded, Ok(ReceivedFrame::Pong))
    }

    /// Whether this is an operation error with `code`.
    pub(crate) fn is_error(&self, code: &str) -> bool {
        matches!(&self.decoded, Ok(ReceivedFrame::OperationError(e)) if e.error_code == code)
    }
}

/// How the socket ended, as the client saw it.
#[derive(Debug)]
pub(crate) enum Ending {
    /// A close frame arrived.
    Closed(Option<CloseFrame>),
    /// The stream ended or failed without a close frame.
    Dropped(String),
}

/// A CXone client: one WebSocket, one customer.
pub(crate) struct Client {
    ws: Ws,
    pub(crate) brand: i64,
    pub(crate) channel: String,
    pub(crate) visitor: String,
    pub(crate) destination: String,
    pub(crate) customer: CustomerIdentity,
    /// Frames received but not yet taken by a wait.
    pending: VecDeque<Frame>,
    /// Payloads of pong control frames received.
    pongs: Vec<Vec<u8>>,
    seq: usize,
}

impl Client {
    /// A client on an open socket, for `customer` in `channel` of the built-in brand.
    pub(super) fn new(ws: Ws, channel: &str, visitor: String, customer: CustomerIdentity) -> Self {
        Self {
            ws,
            brand: super::BRAND,
            channel: channel.to_owned(),
            visitor,
            destination: uuid(),
            customer,
            pending: VecDeque::new(),
            pongs: Vec::new(),
            seq: 0,
        }
    }

    /// Sends one text frame verbatim.
    pub(crate) async fn send_text(&mut self, text: &str) {
        self.ws
            .send(WsMessage::text(text.to_owned()))
            .await
            .expect("send");
    }

    /// The envelope this client would send for `event`.
    pub(crate) fn frame_for(&self, event: SentEvent) -> (String, OutgoingFrame) {
        let event_id = uuid();
        let payload = Payload {
            brand: BrandRef { id: self.brand },
            channel: IdRef::new(self.channel.clone()),
            identity: Some((IdentityKey::for_event(&event), self.customer.clone())),
            visitor: Some(IdRef::new(self.visitor.clone())),
            destination: Some(IdRef::new(self.destination.clone())),
            event,
        };
        let frame = OutgoingFrame::Event {
            action: payload.event.action(),
            event_id: event_id.clone(),
            payload: Box::new(payload),
        };
        (event_id, frame)
    }

    /// Sends `event`; returns its `eventId`.
    pub(crate) async fn send(&mut self, event: SentEvent) -> String {
        let (id, frame) = self.frame_for(event);
        self.send_text(&frame.to_text()).await;
        id
    }

    /// Sends `event` and waits for the frame that answers it (same `eventId`).
    pub(crate) async fn request(&mut self, event: SentEvent) -> Frame {
        let id = self.send(event).await;
        self.reply(&id).await
    }

    /// Waits for the frame carrying `event_id`.
    pub(crate) async fn reply(&mut self, event_id: &str) -> Frame {
        self.wait_for(&format!("the reply to {event_id}"), |f| {
            f.event_id() == Some(event_id)
        })
        .await
    }

    /// Waits for an event of `event_type`.
    pub(crate) async fn next_of(&mut self, event_type: &str) -> Frame {
        self.wait_for(event_type, |f| f.event_type() == Some(event_type))
            .await
    }

    /// Takes the first frame (already received or arriving before the deadline) that
    /// satisfies `pred`; other frames stay queued for later waits.
    pub(crate) async fn wait_for(&mut self, what: &str, pred: impl Fn(&Frame) -> bool) -> Frame {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(i) = self.pending.iter().position(&pred) {
                return self.pending.remove(i).expect("index is valid");
            }
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => panic!(
                    "timed out waiting for {what}; frames received meanwhile:\n{}",
                    self.pending_texts().join("\n")
                ),
                Ok(None) => panic!("the socket ended while waiting for {what}"),
                Ok(Some(Err(e))) => panic!("the socket failed while waiting for {what}: {e}"),
                Ok(Some(Ok(m))) => self.take_message(m),
            }
        }
    }

    fn take_message(&mut self, m: WsMessage) {
        match m {
            WsMessage::Text(text) => {
                self.seq += 1;
                let text = text.as_str().to_owned();
                self.pending.push_back(Frame {
                    seq: self.seq,
                    decoded: ReceivedFrame::from_text(&text).map_err(|e| e.to_string()),
                    text,
                });
            }
            WsMessage::Pong(p) => self.pongs.push(p.to_vec()),
            WsMessage::Close(c) => panic!("unexpected close frame {c:?}"),
            other => panic!("unexpected message {other:?}"),
        }
    }

    /// Texts of the frames nobody has waited for yet.
    pub(crate) fn pending_texts(&self) -> Vec<String> {
        self.pending.iter().map(|f| f.text.clone()).collect()
    }

    /// Whether any queued (received, not yet taken) frame satisfies `pred`.
    pub(crate) fn has_pending(&self, pred: impl Fn(&Frame) -> bool) -> bool {
        self.pending.iter().any(pred)
    }

    /// Sends a WebSocket ping and waits for the pong with the same payload.
    pub(crate) async fn ping(&mut self, payload: &[u8]) {
        self.ws
            .send(WsMessage::Ping(payload.to_vec().into()))
            .await
            .expect("ping");
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !self.pongs.iter().any(|p| p == payload) {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(m))) => self.take_message(m),
                other => panic!("no pong: {other:?}"),
            }
        }
    }

    /// `{"action":"heartbeat"}`, then the `"pong"` text frame.
    pub(crate) async fn heartbeat(&mut self) -> Frame {
        self.send_text(&OutgoingFrame::Heartbeat.to_text()).await;
        self.wait_for("\"pong\"", Frame::is_pong).await
    }

    /// Starts the closing handshake with `code`.
    pub(crate) async fn close(&mut self, code: u16) {
        let frame = CloseFrame {
            code: code.into(),
            reason: "bye".into(),
        };
        self.ws.close(Some(frame)).await.expect("close");
    }

    /// Reads until the socket ends; text frames on the way are queued.
    pub(crate) async fn ending(&mut self) -> Ending {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => panic!("the socket did not end"),
                Ok(None) => return Ending::Dropped("end of stream".into()),
                Ok(Some(Err(e))) => return Ending::Dropped(e.to_string()),
                Ok(Some(Ok(WsMessage::Close(c)))) => return Ending::Closed(c),
                Ok(Some(Ok(m))) => self.take_message(m),
            }
        }
    }

    // --- typed requests ------------------------------------------------------------------

    /// `AuthorizeCustomer` (action `register`), optionally with an OAuth code; the reply.
    pub(crate) async fn authorize_frame(&mut self, code: Option<&str>) -> Frame {
        let data = AuthorizeCustomerData {
            authorization: code.map(|c| OAuthAuthorization {
                authorization_code: Some(c.to_owned()),
                code_verifier: Some("verifier-123".into()),
            }),
            disable_channel_info: Some(true),
            sdk_platform: Some("ios".into()),
            sdk_version: Some("3.3.1".into()),
        };
        self.request(SentEvent::AuthorizeCustomer(data)).await
    }

    /// A successful `AuthorizeCustomer`; adopts the server's identity.
    pub(crate) async fn authorize(&mut self, code: Option<&str>) -> ConsumerAuthorized {
        let reply = self.authorize_frame(code).await;
        let body = body!(reply, ConsumerAuthorized);
        self.customer =
            CustomerIdentity::new(body.consumer_identity.id_on_external_platform.clone());
        body
    }

    /// `SendMessage` of `content` to `thread` with a fresh message id; returns the request's
    /// `eventId` and the message id (replies are left for the caller to wait for).
    pub(crate) async fn send_content(
        &mut self,
        thread: &UuidString,
        content: MessageContent,
        adjust: impl FnOnce(&mut MessageData),
    ) -> (String, UuidString) {
        let mut data = message_data(thread, content);
        adjust(&mut data);
        let message_id = data.id_on_external_platform.clone();
        let event_id = self.send(SentEvent::SendMessage(data)).await;
        (event_id, message_id)
    }

    /// A text message that must be acknowledged; waits for the ack and for the
    /// `MessageCreated` echo, and returns the echo.
    pub(crate) async fn say(&mut self, thread: &UuidString, text: &str) -> Frame {
        self.say_with(thread, text, |_| {}).await
    }

    /// [`Client::say`] with extra message data (custom fields, access token, thread name).
    pub(crate) async fn say_with(
        &mut self,
        thread: &UuidString,
        text: &str,
        adjust: impl FnOnce(&mut MessageData),
    ) -> Frame {
        let (event_id, message_id) = self
            .send_content(thread, MessageContent::text(text), adjust)
            .await;
        let ack = self.reply(&event_id).await;
        assert_is_ack(&ack, &event_id);
        self.echo_of(&message_id).await
    }

    /// The `MessageCreated` for message `id`.
    pub(crate) async fn echo_of(&mut self, id: &UuidString) -> Frame {
        let id = id.clone();
        self.wait_for(&format!("MessageCreated for {id}"), |f| {
            matches!(&f.decoded, Ok(ReceivedFrame::Event(e))
                if matches!(&e.body, EventBody::MessageCreated(m) if m.message.id_on_external_platform == id))
        })
        .await
    }

    /// `RecoverThread`, with or without an id.
    pub(crate) async fn recover(&mut self, thread: Option<&UuidString>) -> Frame {
        self.request(SentEvent::RecoverThread(recover_data(thread)))
            .await
    }
}
