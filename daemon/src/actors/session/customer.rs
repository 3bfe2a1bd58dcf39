//! The session's customer (`customer.*`), proactive triggers and the pre-chat survey: one
//! message per call, each answering with the method's own result type.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::{CustomField as CxField, IdRef};
use cxone_chat_protocol::cxone::rest::VisitorRegistration;
use cxone_chat_protocol::cxone::sent::{
    CustomFieldsData, ExecuteTriggerData, SentEvent, StoreVisitorEventsData, VisitorEvent,
};
use cxone_chat_protocol::rpc::methods::customer::CustomFieldsResult;
use cxone_chat_protocol::rpc::notifications::CustomFieldsSet;
use cxone_chat_protocol::rpc::types::{
    ChatState, ConnectionState, CustomFieldScope, CustomFieldValues, Customer, PreChatSurvey,
};

use super::{Session, fingerprint};
use crate::session::error::SessionError;
use crate::to_api;

/// Merges fields by ident; new values win.
fn merge(into: &mut Vec<CxField>, new: &[CxField]) {
    for f in new {
        match into.iter_mut().find(|x| x.ident == f.ident) {
            Some(x) => *x = f.clone(),
            None => into.push(f.clone()),
        }
    }
}

/// `customer.get`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Customer, SessionError>")]
pub(crate) struct GetCustomer;

/// `customer.set`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Customer, SessionError>")]
pub(crate) struct SetCustomer {
    /// New id.
    pub(crate) id: Option<String>,
    /// New first name.
    pub(crate) first_name: Option<String>,
    /// New last name.
    pub(crate) last_name: Option<String>,
}

/// `customer.setCustomFields`.
#[derive(Message, Debug)]
#[rtype(result = "Result<CustomFieldsResult, SessionError>")]
pub(crate) struct SetCustomerFields(pub(crate) CustomFieldValues);

/// `customer.authorize`.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct Authorize {
    /// The identity provider's single-use code.
    pub(crate) code: String,
    /// The PKCE verifier.
    pub(crate) verifier: Option<String>,
}

/// `customer.setDeviceToken`.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct SetDeviceToken(pub(crate) String);

/// `session.executeTrigger`.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct ExecuteTrigger(pub(crate) String);

/// `analytics.customVisitorEvent`: any JSON value, as Android's `customVisitor`.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct CustomVisitorEvent(pub(crate) serde_json::Value);

/// `threads.preChatSurvey`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Option<PreChatSurvey>, SessionError>")]
pub(crate) struct GetPreChatSurvey;

type Answer<T> = ResponseActFuture<Session, Result<T, SessionError>>;

impl Session {
    fn customer_api(&self) -> Customer {
        Customer {
            id: Some(self.customer.id_on_external_platform.clone()),
            first_name: self.customer.first_name.clone(),
            last_name: self.customer.last_name.clone(),
            authorized: self.machine.is_connected(),
            custom_fields: to_api::custom_fields(&self.customer_fields),
        }
    }

    /// The socket, when the chat may use it.
    pub(super) fn live_socket(&self) -> Option<crate::upstream::SocketHandle> {
        self.socket.clone().filter(|_| self.machine.is_connected())
    }

    /// Writes a fire-and-forget frame and answers `result` once it is on the socket.
    fn fire<T: 'static>(
        &self,
        socket: crate::upstream::SocketHandle,
        frame: cxone_chat_protocol::cxone::sent::OutgoingFrame,
        result: T,
    ) -> Answer<T> {
        let send = async move {
            socket
                .send(frame)
                .await
                .map_err(|_| SessionError::NotConnected)
        };
        Box::pin(send.into_actor(self).map(|r, _, _| r.map(|()| result)))
    }

    /// Fires one of the events that carry this run's destination id (`ExecuteTrigger`,
    /// `StoreVisitorEvents`, as Android sends them); they need a connection.
    fn fire_to_destination(&self, event: SentEvent) -> Answer<()> {
        let Some(socket) = self.live_socket() else {
            return Box::pin(fut::err(SessionError::NotConnected));
        };
        let plan = match self.plan() {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        let mut frame = plan.frame(&self.customer, event);
        if let cxone_chat_protocol::cxone::sent::OutgoingFrame::Event { payload, .. } = &mut frame {
            payload.destination = Some(IdRef::new(self.destination_id.clone()));
        }
        self.fire(socket, frame, ())
    }
}

impl Handler<GetCustomer> for Session {
    type Result = Result<Customer, SessionError>;

    fn handle(&mut self, _: GetCustomer, _: &mut Self::Context) -> Self::Result {
        Ok(self.customer_api())
    }
}

impl Handler<SetCustomer> for Session {
    type Result = Result<Customer, SessionError>;

    fn handle(&mut self, msg: SetCustomer, _: &mut Self::Context) -> Self::Result {
        // The identity is what the back end knows the conversation by; it cannot change under an
        // open connection.
        if msg.id.is_some()
            && !matches!(
                self.machine.state(),
                ChatState::Initial | ChatState::Prepared | ChatState::Offline
            )
        {
            return Err(SessionError::Illegal(crate::session::state::Illegal {
                operation: "customer.set with a new id",
                state: self.machine.state(),
            }));
        }
        if let Some(id) = msg.id.filter(|i| !i.trim().is_empty()) {
            self.customer.id_on_external_platform = id;
        }
        self.customer.first_name = msg.first_name.or(self.customer.first_name.take());
        self.customer.last_name = msg.last_name.or(self.customer.last_name.take());
        self.sync_threads();
        Ok(self.customer_api())
    }
}

impl Handler<SetCustomerFields> for Session {
    type Result = Answer<CustomFieldsResult>;

    fn handle(&mut self, msg: SetCustomerFields, _: &mut Self::Context) -> Self::Result {
        let new = to_api::cx_custom_fields(msg.0);
        merge(&mut self.customer_fields, &new);
        self.sync_threads();
        self.publish(
            CustomFieldsSet {
                scope: CustomFieldScope::Customer,
                thread_id: None,
                custom_fields: to_api::custom_fields(&new),
            }
            .into(),
        );
        let result = CustomFieldsResult {
            custom_fields: to_api::custom_fields(&self.customer_fields),
        };
        // Sent now when connected; otherwise they travel with the next message.
        let Some(socket) = self.live_socket() else {
            return Box::pin(fut::ok(result));
        };
        let plan = match self.plan() {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        let frame = plan.frame(
            &self.customer,
            SentEvent::SetCustomerCustomFields(CustomFieldsData {
                custom_fields: self.customer_fields.clone(),
            }),
        );
        self.fire(socket, frame, result)
    }
}

impl Handler<Authorize> for Session {
    type Result = ResponseActFuture<Self, Result<(), SessionError>>;

    fn handle(&mut self, msg: Authorize, ctx: &mut Self::Context) -> Self::Result {
        let Some(config) = self.config.as_ref() else {
            return Box::pin(fut::err(SessionError::NotPrepared));
        };
        if config.authentication_type()
            != cxone_chat_protocol::cxone::rest::AuthenticationType::ThirdPartyOAuth
        {
            return Box::pin(fut::err(SessionError::FeatureDisabled(
                "this channel does not use OAuth logins",
            )));
        }
        if msg.code.trim().is_empty() {
            return Box::pin(fut::err(SessionError::InvalidParameter {
                field: "authorizationCode",
                detail: "empty".into(),
            }));
        }
        // A new login replaces the old one (iOS clears its tokens too). The OAuth actor takes
        // it before any later request for the login, since its mailbox keeps order.
        self.oauth.do_send(crate::actors::oauth::Login(
            cxone_chat_protocol::cxone::sent::OAuthAuthorization {
                authorization_code: Some(msg.code),
                code_verifier: msg.verifier,
            },
        ));
        if self.connection != ConnectionState::Connected {
            // The next session.connect (or the running reconnect) uses it.
            return Box::pin(fut::ok(()));
        }
        // Connected: the login counts at once. The socket authenticated the old identity
        // (AuthorizeCustomer, or a secured session's transaction token in the handshake), so
        // the session connects again with the new one rather than waiting for a send to fail.
        tracing::info!(session = %self.name, "a new login: connecting again with it");
        self.close_connection(ctx);
        Box::pin(
            <Self as Handler<super::Connect>>::handle(self, super::Connect::default(), ctx)
                .map(|r, _, _| r.map(drop)),
        )
    }
}

impl Handler<SetDeviceToken> for Session {
    type Result = Answer<()>;

    fn handle(&mut self, msg: SetDeviceToken, _: &mut Self::Context) -> Self::Result {
        let Some(t) = self.target.clone() else {
            return Box::pin(fut::err(SessionError::NotPrepared));
        };
        // Kept (on disk too) and sent wherever the SDKs send it: this registration, the ones of
        // later prepares, and every message's fingerprint.
        self.device_token = Some(msg.0);
        self.sync_threads();
        let token = self.device_token.clone().map(crate::store::Secret::new);
        let (store, name) = (self.store.clone(), self.name.clone());
        let saved = tokio::task::spawn_blocking(move || store.update(|r| r.device_token = token));
        let fp = fingerprint(&self.sdk, self.device_token.as_deref());
        let body = VisitorRegistration::new(self.customer.id_on_external_platform.clone(), fp);
        let (rest, visitor) = (self.rest.clone(), self.visitor_id.clone());
        let work = async move {
            if !matches!(saved.await, Ok(Ok(_))) {
                tracing::warn!(session = %name, "cannot save the device token; it is kept until the daemon stops");
            }
            rest.register_visitor(&t.endpoints, t.brand_id, &visitor, &body)
                .await
                .map_err(SessionError::RegisterVisitor)
        };
        Box::pin(work.into_actor(self))
    }
}

impl Handler<ExecuteTrigger> for Session {
    type Result = Answer<()>;

    fn handle(&mut self, msg: ExecuteTrigger, _: &mut Self::Context) -> Self::Result {
        self.fire_to_destination(SentEvent::ExecuteTrigger(ExecuteTriggerData {
            trigger: IdRef::new(msg.0),
        }))
    }
}

impl Handler<CustomVisitorEvent> for Session {
    type Result = Answer<()>;

    fn handle(&mut self, msg: CustomVisitorEvent, _: &mut Self::Context) -> Self::Result {
        if msg.0.is_null() {
            return Box::pin(fut::err(SessionError::InvalidParameter {
                field: "data",
                detail: "give the event as a JSON value other than null".into(),
            }));
        }
        // Android's frame: one event labelled `ProactiveActionDisplayed` (its quirk, which the
        // back end's handling of Android's events expects), with the destination and visitor.
        let event = VisitorEvent {
            event_type: "ProactiveActionDisplayed".into(),
            id: uuid::Uuid::new_v4().to_string(),
            created_at_with_milliseconds: Some(to_api::now()),
            data: Some(msg.0),
        };
        self.fire_to_destination(SentEvent::StoreVisitorEvents(StoreVisitorEventsData {
            visitor_events: Some(vec![event]),
            browser_fingerprint: None,
        }))
    }
}

impl Handler<GetPreChatSurvey> for Session {
    type Result = Result<Option<PreChatSurvey>, SessionError>;

    fn handle(&mut self, _: GetPreChatSurvey, _: &mut Self::Context) -> Self::Result {
        let c = self.config.as_ref().ok_or(SessionError::NotPrepared)?;
        let t = self.target.as_ref().ok_or(SessionError::NotPrepared)?;
        Ok(c.pre_chat_form(&t.channel_id).map(to_api::pre_chat_survey))
    }
}
