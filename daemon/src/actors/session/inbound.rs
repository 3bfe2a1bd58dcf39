//! What the session does with each item of its connection's inbound stream: events go to the
//! thread registry (and, in live chat, move the chat's state with the contact); the end of the
//! connection starts a reconnect; and every failure nobody asked about — an operation error no
//! call waits for, a gateway error, a frame that does not decode, a lost large event — reaches
//! the host as an `error` event, since no call's answer will carry it. Events this build does
//! not know reach the host as `custom.event`, raw (the web SDK's `onRawEvent`).

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::ContactStatus as CxContactStatus;
use cxone_chat_protocol::cxone::received::{
    EventBody, ReceivedEvent, ReceivedFrame, is_known_ignored,
};
use cxone_chat_protocol::rpc::errors::ErrorObject;
use cxone_chat_protocol::rpc::notifications::{CustomEvent, ErrorEvent};
use cxone_chat_protocol::rpc::types::ChatMode;

use super::Session;
use crate::actors::threads::Apply;
use crate::session::error::SessionError;
use crate::upstream::socket::Inbound;

impl StreamHandler<Inbound> for Session {
    fn handle(&mut self, item: Inbound, ctx: &mut Self::Context) {
        match item {
            Inbound::Frame(ReceivedFrame::Event(e)) => self.event(*e),
            Inbound::Closed {
                reason,
                clean,
                code,
            } => {
                tracing::info!(session = %self.name, ?code, clean, "the chat gateway connection ended");
                let reason = if reason.is_empty() {
                    "the connection to the chat gateway ended".into()
                } else {
                    reason
                };
                self.lose_connection(reason, ctx);
            }
            Inbound::LargeEventFailed { url, error } => {
                tracing::warn!(session = %self.name, %url, %error, "a large event was lost");
                self.report(SessionError::LargeEventLost { url, error });
            }
            Inbound::Frame(ReceivedFrame::OperationError(e)) => {
                // A late reply to a request that timed out, or the refusal of a fire-and-forget
                // event (SendOutbound, SetContactCustomFields, EndContact, …).
                tracing::warn!(session = %self.name, code = %e.error_code, transaction = %e.transaction_id, "the back end refused a request no call waits for");
                self.report(SessionError::BackendReported {
                    code: e.error_code,
                    message: e.error_message,
                    transaction_id: e.transaction_id,
                });
            }
            Inbound::GatewayError(g) | Inbound::Frame(ReceivedFrame::GatewayError(g)) => {
                tracing::warn!(session = %self.name, message = %g.message, "the chat gateway reported an error");
                self.report(SessionError::GatewayReported(g.message));
            }
            Inbound::Undecodable { error, text_len } => {
                tracing::warn!(session = %self.name, %error, text_len, "a frame from the back end does not decode; skipped");
                self.report(SessionError::UndecodableFrame { error, text_len });
            }
            Inbound::Frame(ReceivedFrame::Pong) => {}
        }
    }

    // The stream ends when the socket's tasks end; `Closed` has already said why.
    fn finished(&mut self, _: &mut Self::Context) {}
}

impl Session {
    /// Tells the host of a failure no call's answer carries.
    fn report(&self, error: SessionError) {
        self.publish(
            ErrorEvent {
                error: ErrorObject::from(&error),
                thread_id: None,
            }
            .into(),
        );
    }

    /// An inbound event: the thread registry applies it, in arrival order. In live chat the
    /// contact's status is also the chat's: closed when it closes, ready when a new one
    /// begins (the first message of the next conversation comes with an open contact).
    fn event(&mut self, e: ReceivedEvent) {
        if let EventBody::Other(data) = &e.body {
            // A frame with no `eventType` is a bare acknowledgement (`{eventId}`) of something
            // sent without waiting for it (custom fields, a typing preview), which the back end
            // acknowledges for the web SDK's sake: not news.
            if !e.event_type.is_empty() && !is_known_ignored(&e.event_type) {
                self.publish(
                    CustomEvent {
                        name: Some(e.event_type.clone()),
                        payload: data.clone().unwrap_or(serde_json::Value::Null),
                    }
                    .into(),
                );
            }
            return;
        }
        let change = match (&e.body, self.machine.mode()) {
            (EventBody::CaseStatusChanged(c), Some(ChatMode::Livechat))
                if c.case.status == CxContactStatus::Closed =>
            {
                self.machine.contact_closed()
            }
            (EventBody::MessageCreated(m), Some(ChatMode::Livechat))
                if m.case.status != CxContactStatus::Closed =>
            {
                self.machine.reopened()
            }
            _ => None,
        };
        self.threads.do_send(Apply(Box::new(e.body)));
        if change.is_some() {
            self.announce(change);
        }
    }
}
