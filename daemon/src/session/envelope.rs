//! What every frame a session sends carries besides its event (brand, channel, visitor and the
//! customer), and the token scheme a channel's authentication implies. Plain data.

use cxone_chat_protocol::cxone::common::{BrandRef, CustomerIdentity, IdRef};
use cxone_chat_protocol::cxone::rest::AuthenticationType;
use cxone_chat_protocol::cxone::sent::{IdentityKey, OutgoingFrame, Payload, SentEvent};

use crate::session::credentials::Scheme;

/// What every sent event's envelope names besides the customer.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    brand_id: i64,
    channel_id: String,
    visitor_id: String,
}

impl Envelope {
    /// The envelope of a session's frames.
    pub(crate) fn new(brand_id: i64, channel_id: String, visitor_id: String) -> Self {
        Self {
            brand_id,
            channel_id,
            visitor_id,
        }
    }

    /// A frame for `event` from `customer`.
    pub(crate) fn frame(&self, customer: &CustomerIdentity, event: SentEvent) -> OutgoingFrame {
        OutgoingFrame::Event {
            action: event.action(),
            event_id: uuid::Uuid::new_v4().to_string(),
            payload: Box::new(Payload {
                brand: BrandRef { id: self.brand_id },
                channel: IdRef::new(self.channel_id.clone()),
                identity: Some((IdentityKey::for_event(&event), customer.clone())),
                visitor: Some(IdRef::new(self.visitor_id.clone())),
                destination: None,
                event,
            }),
        }
    }
}

/// The token scheme of a channel's authentication type.
pub(crate) fn scheme(auth: AuthenticationType, secured: bool) -> Scheme {
    match (auth, secured) {
        (AuthenticationType::ThirdPartyOAuth, true) => Scheme::SecuredOAuth,
        (AuthenticationType::ThirdPartyOAuth, false) => Scheme::LegacyOAuth,
        (AuthenticationType::SecuredCookie, _) => Scheme::SecuredCookie,
        (AuthenticationType::Anonymous, true) => Scheme::SecuredAnonymous,
        (AuthenticationType::Anonymous, false) => Scheme::Anonymous,
    }
}
