//! The session's customer (`customer.*`), proactive triggers, the pre-chat survey and
//! `threads.load`.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::{CustomField as CxField, IdRef};
use cxone_chat_protocol::cxone::rest::{FieldType, VisitorRegistration};
use cxone_chat_protocol::cxone::sent::{CustomFieldsData, ExecuteTriggerData, SentEvent};
use cxone_chat_protocol::rpc::notifications::CustomFieldsSet;
use cxone_chat_protocol::rpc::types::{
    ChatState, CustomFieldScope, CustomFieldValues, Customer, PreChatSurvey, SurveyChoiceField,
    SurveyField, SurveyNode, SurveyOption, SurveyTextField, SurveyTreeField,
};

use super::{Session, fingerprint};
use crate::actors::threads::{LoadThread, SetThreadCustomFields};
use crate::session::error::SessionError;
use crate::to_api;

/// The nodes of a tree field under `parent`, with their children. The depth is capped: a
/// configuration whose `parentId`s form a cycle must not recurse forever.
fn tree(
    d: &cxone_chat_protocol::cxone::rest::FieldDefinition,
    parent: Option<&str>,
    depth: usize,
) -> Vec<SurveyNode> {
    if depth > 32 {
        return Vec::new();
    }
    d.children(parent)
        .map(|o| SurveyNode {
            id: o.name.clone(),
            label: o.value.clone(),
            children: tree(d, Some(&o.name), depth + 1),
        })
        .collect()
}

/// Merges fields by ident; new values win.
fn merge(into: &mut Vec<CxField>, new: &[CxField]) {
    for f in new {
        match into.iter_mut().find(|x| x.ident == f.ident) {
            Some(x) => *x = f.clone(),
            None => into.push(f.clone()),
        }
    }
}

/// A customer or trigger call.
#[derive(Debug, Clone)]
pub enum CustomerCall {
    /// `customer.get`.
    Get,
    /// `customer.set`.
    Set {
        /// New id.
        id: Option<String>,
        /// New first name.
        first_name: Option<String>,
        /// New last name.
        last_name: Option<String>,
    },
    /// `customer.setCustomFields`.
    SetCustomFields(CustomFieldValues),
    /// `customer.setDeviceToken`.
    SetDeviceToken(String),
    /// `customer.authorize`.
    Authorize {
        /// The identity provider's single-use code.
        code: String,
        /// The PKCE verifier.
        verifier: Option<String>,
    },
    /// `thread.setCustomFields`.
    SetThreadCustomFields {
        /// The thread.
        thread_id: String,
        /// The fields.
        values: CustomFieldValues,
    },
    /// `session.executeTrigger`.
    ExecuteTrigger(String),
    /// `threads.preChatSurvey`.
    PreChatSurvey,
    /// `threads.load`.
    LoadThread(Option<String>),
}

/// What a customer call returns, as JSON ready for the answer.
#[derive(Message, Debug)]
#[rtype(result = "Result<serde_json::Value, SessionError>")]
pub struct CustomerOp(pub CustomerCall);

fn json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).expect("API types serialize")
}

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

    fn survey(&self) -> Option<PreChatSurvey> {
        let (c, t) = (self.config.as_ref()?, self.target.as_ref()?);
        let form = c.pre_chat_form(&t.channel_id)?;
        let fields = form
            .custom_fields
            .iter()
            .filter_map(|f| {
                let d = &f.definition;
                let text = || SurveyTextField {
                    ident: d.ident.clone(),
                    label: d.label.clone(),
                    required: f.is_required,
                };
                let options = || {
                    d.options()
                        .iter()
                        .map(|o| SurveyOption {
                            id: o.name.clone(),
                            label: o.value.clone(),
                        })
                        .collect()
                };
                Some(match d.field_type {
                    FieldType::Text => SurveyField::Text(text()),
                    FieldType::Email => SurveyField::Email(text()),
                    FieldType::List => SurveyField::List(SurveyChoiceField {
                        ident: d.ident.clone(),
                        label: d.label.clone(),
                        required: f.is_required,
                        options: options(),
                    }),
                    FieldType::Tree => SurveyField::Tree(SurveyTreeField {
                        ident: d.ident.clone(),
                        label: d.label.clone(),
                        required: f.is_required,
                        nodes: tree(d, None, 0),
                    }),
                    // Field types the SDKs do not know are left out, as Android does.
                    FieldType::Other(_) => return None,
                })
            })
            .collect();
        Some(PreChatSurvey {
            name: form.name.clone(),
            fields,
        })
    }
}

impl Session {
    /// Writes a fire-and-forget frame and answers `result` once it is on the socket.
    fn fire(
        &self,
        socket: crate::upstream::SocketHandle,
        frame: cxone_chat_protocol::cxone::sent::OutgoingFrame,
        result: serde_json::Value,
    ) -> ResponseActFuture<Self, Result<serde_json::Value, SessionError>> {
        let send = async move {
            socket
                .send(frame)
                .await
                .map_err(|_| SessionError::NotConnected)
        };
        Box::pin(send.into_actor(self).map(|r, _, _| r.map(|()| result)))
    }
}

impl Handler<CustomerOp> for Session {
    type Result = ResponseActFuture<Self, Result<serde_json::Value, SessionError>>;

    fn handle(&mut self, msg: CustomerOp, _: &mut Self::Context) -> Self::Result {
        let connected = self.socket.clone().filter(|_| self.machine.is_connected());
        match msg.0 {
            CustomerCall::Get => Box::pin(fut::ok(json(self.customer_api()))),
            CustomerCall::Set {
                id,
                first_name,
                last_name,
            } => {
                // The identity is what the back end knows the conversation by; it cannot change
                // under an open connection.
                if id.is_some()
                    && !matches!(
                        self.machine.state(),
                        ChatState::Initial | ChatState::Prepared | ChatState::Offline
                    )
                {
                    return Box::pin(fut::err(SessionError::Illegal(
                        crate::session::state::Illegal {
                            operation: "customer.set with a new id",
                            state: self.machine.state(),
                        },
                    )));
                }
                if let Some(id) = id.filter(|i| !i.trim().is_empty()) {
                    self.customer.id_on_external_platform = id;
                }
                self.customer.first_name = first_name.or(self.customer.first_name.take());
                self.customer.last_name = last_name.or(self.customer.last_name.take());
                self.sync_threads();
                Box::pin(fut::ok(json(self.customer_api())))
            }
            CustomerCall::SetCustomFields(values) => {
                let new = to_api::cx_custom_fields(values);
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
                let result = json(
                    cxone_chat_protocol::rpc::methods::customer::CustomFieldsResult {
                        custom_fields: to_api::custom_fields(&self.customer_fields),
                    },
                );
                // Sent now when connected; otherwise they travel with the next message.
                let Some(socket) = connected else {
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
            CustomerCall::Authorize { code, verifier } => {
                let Some(config) = &self.config else {
                    return Box::pin(fut::err(SessionError::NotPrepared));
                };
                if config.authentication_type()
                    != cxone_chat_protocol::cxone::rest::AuthenticationType::ThirdPartyOAuth
                {
                    return Box::pin(fut::err(SessionError::FeatureDisabled(
                        "this channel does not use OAuth logins",
                    )));
                }
                if code.trim().is_empty() {
                    return Box::pin(fut::err(SessionError::InvalidParameter {
                        field: "authorizationCode",
                        detail: "empty".into(),
                    }));
                }
                // A new login replaces the old one (iOS clears its tokens too); it is used by the
                // next session.connect.
                self.oauth.do_send(crate::actors::oauth::Login(
                    cxone_chat_protocol::cxone::sent::OAuthAuthorization {
                        authorization_code: Some(code),
                        code_verifier: verifier,
                    },
                ));
                Box::pin(fut::ok(serde_json::json!({})))
            }
            CustomerCall::SetDeviceToken(token) => {
                let Some(t) = self.target.clone() else {
                    return Box::pin(fut::err(SessionError::NotPrepared));
                };
                let mut fp = fingerprint(&self.sdk);
                fp.device_token = Some(token);
                let body =
                    VisitorRegistration::new(self.customer.id_on_external_platform.clone(), fp);
                let (rest, visitor) = (self.rest.clone(), self.visitor_id.clone());
                let work = async move {
                    rest.register_visitor(&t.endpoints, t.brand_id, &visitor, &body)
                        .await
                        .map_err(SessionError::RegisterVisitor)
                };
                Box::pin(
                    work.into_actor(self)
                        .map(|r, _, _| r.map(|()| serde_json::json!({}))),
                )
            }
            CustomerCall::SetThreadCustomFields { thread_id, values } => {
                let set = SetThreadCustomFields {
                    thread_id,
                    fields: to_api::cx_custom_fields(values),
                };
                Box::pin(fut::wrap_future(self.forward(set)))
            }
            CustomerCall::ExecuteTrigger(id) => {
                let Some(socket) = connected else {
                    return Box::pin(fut::err(SessionError::NotConnected));
                };
                let plan = match self.plan() {
                    Ok(p) => p,
                    Err(e) => return Box::pin(fut::err(e)),
                };
                let mut frame = plan.frame(
                    &self.customer,
                    SentEvent::ExecuteTrigger(ExecuteTriggerData {
                        trigger: IdRef::new(id),
                    }),
                );
                if let cxone_chat_protocol::cxone::sent::OutgoingFrame::Event { payload, .. } =
                    &mut frame
                {
                    payload.destination = Some(IdRef::new(self.destination_id.clone()));
                }
                self.fire(socket, frame, serde_json::json!({}))
            }
            CustomerCall::PreChatSurvey => {
                if self.config.is_none() {
                    return Box::pin(fut::err(SessionError::NotPrepared));
                }
                Box::pin(fut::ok(json(self.survey())))
            }
            CustomerCall::LoadThread(id) => {
                Box::pin(fut::wrap_future(self.forward(LoadThread(id))))
            }
        }
    }
}
