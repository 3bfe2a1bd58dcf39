//! When no agent may be available: asking whether one is, without connecting
//! (`session.availability`, Android's and the web SDK's `getChannelAvailability`), and leaving a
//! message instead (`session.sendOfflineMessage`, the web SDK's offline form).

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::cxone::sent::{OfflineMessageData, PreviewContent, SentEvent};

use super::Session;
use crate::actors::live_chat::CheckAvailability;
use crate::session::error::SessionError;
use crate::session::send::MAX_DRAFT_CHARS;

/// `session.availability`: whether an agent is available (the live-chat actor's answer, cached
/// for 60 s like the one `session.connect` goes by).
#[derive(Message, Debug)]
#[rtype(result = "Result<bool, SessionError>")]
pub(crate) struct Availability;

/// `session.sendOfflineMessage`.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct SendOfflineMessage {
    /// The customer's full name.
    pub(crate) name: String,
    /// Where the answer goes.
    pub(crate) email: String,
    /// The message.
    pub(crate) message: String,
}

impl Handler<Availability> for Session {
    type Result = ResponseActFuture<Self, Result<bool, SessionError>>;

    fn handle(&mut self, _: Availability, _: &mut Self::Context) -> Self::Result {
        if self.target.is_none() || self.config.is_none() {
            return Box::pin(fut::err(SessionError::NotPrepared));
        }
        let live_chat = self.live_chat.clone();
        Box::pin(
            async move {
                match live_chat.send(CheckAvailability).await {
                    Ok(answer) => answer.map_err(SessionError::CheckAvailability),
                    Err(_) => Err(SessionError::Stopped),
                }
            }
            .into_actor(self),
        )
    }
}

impl Handler<SendOfflineMessage> for Session {
    type Result = ResponseActFuture<Self, Result<(), SessionError>>;

    fn handle(&mut self, msg: SendOfflineMessage, _: &mut Self::Context) -> Self::Result {
        let data = match offline_message(&msg) {
            Ok(d) => d,
            Err(e) => return Box::pin(fut::err(e)),
        };
        let plan = match self.plan() {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        let event = SentEvent::SendOfflineMessage(data);
        const STEP: &str = "SendOfflineMessage";
        let work = match self.live_socket() {
            // Connected (a messaging channel, or a live chat with an agent): the chat's socket.
            Some(socket) => {
                let frame = plan.frame(&self.customer, event);
                Box::pin(async move {
                    socket
                        .request(frame)
                        .await
                        .map(drop)
                        .map_err(|error| SessionError::Request { step: STEP, error })
                }) as std::pin::Pin<Box<dyn Future<Output = _>>>
            }
            // Not connected: a connection for this message alone.
            None => {
                Box::pin(async move { super::connect::one_shot(plan, event, STEP).await.map(drop) })
            }
        };
        Box::pin(work.into_actor(self))
    }
}

/// The frame's data, as the web SDK builds it; the host's values are checked first so that a
/// mistake is named rather than refused by the back end.
fn offline_message(msg: &SendOfflineMessage) -> Result<OfflineMessageData, SessionError> {
    let invalid = |field: &'static str, detail: &str| SessionError::InvalidParameter {
        field,
        detail: detail.into(),
    };
    let name = msg.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "give the customer's name"));
    }
    let email = msg.email.trim();
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !email.contains(char::is_whitespace) => {}
        _ => {
            return Err(invalid(
                "email",
                "give an e-mail address, like ada@example.com",
            ));
        }
    }
    if msg.message.trim().is_empty() {
        return Err(invalid("message", "the message is empty"));
    }
    if msg.message.chars().count() > MAX_DRAFT_CHARS {
        return Err(SessionError::InvalidParameter {
            field: "message",
            detail: format!("at most {MAX_DRAFT_CHARS} characters"),
        });
    }
    // The web SDK's split: the last word is the last name, the rest the first name.
    let (first, last) = match name.rsplit_once(' ') {
        Some((first, last)) => (first.trim_end().to_owned(), last.to_owned()),
        None => (String::new(), name.to_owned()),
    };
    Ok(OfflineMessageData {
        message_content: PreviewContent::text(msg.message.clone()),
        author_customer_identity: CustomerIdentity {
            id_on_external_platform: email.to_owned(),
            first_name: Some(first),
            last_name: Some(last),
            image: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, email: &str, message: &str) -> SendOfflineMessage {
        SendOfflineMessage {
            name: name.into(),
            email: email.into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_name_is_split_at_its_last_space_as_the_web_sdk_does() {
        let d = offline_message(&form("Ada King Lovelace", "ada@example.com", "Call me")).unwrap();
        let who = d.author_customer_identity;
        assert_eq!(who.id_on_external_platform, "ada@example.com");
        assert_eq!(who.first_name.as_deref(), Some("Ada King"));
        assert_eq!(who.last_name.as_deref(), Some("Lovelace"));
        let one = offline_message(&form("Ada", "ada@example.com", "x")).unwrap();
        assert_eq!(one.author_customer_identity.first_name.as_deref(), Some(""));
        assert_eq!(
            one.author_customer_identity.last_name.as_deref(),
            Some("Ada")
        );
    }

    #[test]
    fn each_mistake_names_its_field() {
        let field = |f: SendOfflineMessage| match offline_message(&f) {
            Err(SessionError::InvalidParameter { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(form(" ", "a@b.c", "x")), "name");
        assert_eq!(field(form("A", "ab.c", "x")), "email");
        assert_eq!(field(form("A", "@b.c", "x")), "email");
        assert_eq!(field(form("A", "a b@c.d", "x")), "email");
        assert_eq!(field(form("A", "a@b.c", "  ")), "message");
        assert_eq!(field(form("A", "a@b.c", &"x".repeat(10_001))), "message");
    }
}
