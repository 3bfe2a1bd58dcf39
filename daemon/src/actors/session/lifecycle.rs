//! The application's lifecycle and analytics (flows 1–3): foreground and background, page
//! views with time spent, and the other analytics events, posted to the analytics REST endpoint.

use std::time::Instant;

use actix::prelude::*;
use cxone_chat_protocol::cxone::rest::{
    AnalyticsEvent, AnalyticsEventData, Conversion, ProactiveAction,
};
use cxone_chat_protocol::cxone::time::Timestamp as CxTimestamp;
use cxone_chat_protocol::rpc::types::{
    ConnectionState, ProactiveActionOutcome, ProactiveActionType, SessionState,
};

use super::Session;
use crate::session::analytics::Batch;
use crate::session::error::SessionError;

/// An analytics call.
#[derive(Debug, Clone)]
pub(crate) enum AnalyticsCall {
    /// `analytics.pageView`.
    PageView {
        /// Page title.
        title: String,
        /// Page identifier.
        url: String,
    },
    /// `analytics.pageViewEnded`.
    PageViewEnded {
        /// Page title.
        title: String,
        /// Page identifier.
        url: String,
    },
    /// `analytics.chatWindowOpen`.
    ChatWindowOpen,
    /// `analytics.conversion`.
    Conversion {
        /// Conversion type.
        kind: String,
        /// Value.
        value: f64,
        /// When (RFC 3339); now when absent.
        time: Option<String>,
    },
    /// `analytics.proactiveAction`.
    ProactiveAction {
        /// Action id.
        id: String,
        /// Action name.
        name: String,
        /// Its type.
        action_type: ProactiveActionType,
        /// What happened.
        outcome: ProactiveActionOutcome,
    },
}

/// Runs an analytics call.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct Analytics(pub(crate) AnalyticsCall);

impl Session {
    fn batch(&mut self, call: AnalyticsCall) -> Result<Option<Batch>, SessionError> {
        let now = Instant::now();
        Ok(match call {
            AnalyticsCall::PageView { title, url } => self.visits.page_view(&title, &url, now),
            AnalyticsCall::PageViewEnded { title, url } => {
                self.visits.page_view_ended(&title, &url, now)
            }
            AnalyticsCall::ChatWindowOpen => {
                Some(self.visits.event(AnalyticsEventData::ChatWindowOpened, now))
            }
            AnalyticsCall::Conversion { kind, value, time } => {
                let at = match time {
                    Some(t) => {
                        CxTimestamp::parse(&t).map_err(|e| SessionError::InvalidParameter {
                            field: "time",
                            detail: e.to_string(),
                        })?
                    }
                    None => crate::to_api::now(),
                };
                let value = serde_json::Number::from_f64(value).ok_or_else(|| {
                    SessionError::InvalidParameter {
                        field: "conversionValue",
                        detail: "must be a finite number".into(),
                    }
                })?;
                let data = AnalyticsEventData::Conversion(Conversion {
                    conversion_type: kind,
                    conversion_value: value,
                    conversion_time_with_milliseconds: at,
                });
                Some(self.visits.event(data, now))
            }
            AnalyticsCall::ProactiveAction {
                id,
                name,
                action_type,
                outcome,
            } => {
                let action_type = match action_type {
                    ProactiveActionType::WelcomeMessage => "WelcomeMessage",
                    ProactiveActionType::CustomPopupBox => "CustomPopupBox",
                    // The back end has no analytics for it (neither SDK reports one).
                    ProactiveActionType::InactivityPopup => {
                        return Err(SessionError::InvalidParameter {
                            field: "actionType",
                            detail:
                                "inactivity popups are not reported; answer them with thread.send"
                                    .into(),
                        });
                    }
                };
                let action = ProactiveAction {
                    action_id: id,
                    action_name: name,
                    action_type: action_type.into(),
                };
                let data = match outcome {
                    ProactiveActionOutcome::Displayed => {
                        AnalyticsEventData::ProactiveActionDisplayed(action)
                    }
                    ProactiveActionOutcome::Clicked => {
                        AnalyticsEventData::ProactiveActionClicked(action)
                    }
                    ProactiveActionOutcome::Success => {
                        AnalyticsEventData::ProactiveActionSuccess(action)
                    }
                    ProactiveActionOutcome::Failed => {
                        AnalyticsEventData::ProactiveActionFailed(action)
                    }
                };
                Some(self.visits.event(data, now))
            }
        })
    }

    /// Posts a batch in order; analytics work without a socket, only a prepared session.
    fn post(&self, batch: Batch) -> ResponseActFuture<Self, Result<(), SessionError>> {
        let Some(target) = self.target.clone() else {
            return Box::pin(fut::err(SessionError::NotPrepared));
        };
        self.save_visit();
        let rest = self.rest.clone();
        let visitor = self.visitor_id.clone();
        let destination = self.destination_id.clone();
        let work = async move {
            for data in batch.events {
                let event = AnalyticsEvent::new(
                    batch.visit_id.clone(),
                    destination.clone(),
                    crate::to_api::now(),
                    data,
                );
                rest.send_analytics_event(&target.endpoints, target.brand_id, &visitor, &event)
                    .await
                    .map_err(SessionError::SendAnalytics)?;
            }
            Ok(())
        };
        Box::pin(work.into_actor(self))
    }
}

impl Session {
    /// Keeps the visit in the record, so that a restart within its 30 minutes goes on with it
    /// rather than announcing a new `VisitorVisit`. Not awaited: a lost write only means a new
    /// visit after a restart.
    fn save_visit(&self) {
        let Some((id, left)) = self.visits.current(Instant::now()) else {
            return;
        };
        let Ok(id) = uuid::Uuid::parse_str(id.as_str()) else {
            return;
        };
        let expires_at_ms =
            crate::to_api::now_ms() + i64::try_from(left.as_millis()).unwrap_or(i64::MAX / 2);
        let visit = crate::store::StoredVisit { id, expires_at_ms };
        let (store, name) = (self.store.clone(), self.name.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = store.update(|r| r.visit = Some(visit)) {
                tracing::warn!(session = %name, error = %e, "cannot save the visit");
            }
        });
    }
}

impl Handler<Analytics> for Session {
    type Result = ResponseActFuture<Self, Result<(), SessionError>>;

    fn handle(&mut self, msg: Analytics, _: &mut Self::Context) -> Self::Result {
        if self.target.is_none() {
            return Box::pin(fut::err(SessionError::NotPrepared));
        }
        match self.batch(msg.0) {
            Ok(Some(batch)) => self.post(batch),
            Ok(None) => Box::pin(fut::ok(())),
            Err(e) => Box::pin(fut::err(e)),
        }
    }
}

/// `app.background`: ends the open page view and, when asked, drops the socket while keeping
/// state, to reconnect on foreground.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub(crate) struct Background {
    /// Drop the socket.
    pub(crate) disconnect: bool,
}

impl Handler<Background> for Session {
    type Result = ResponseActFuture<Self, Result<SessionState, SessionError>>;

    fn handle(&mut self, msg: Background, ctx: &mut Self::Context) -> Self::Result {
        let batch = self.visits.background(Instant::now());
        if msg.disconnect && self.connection != ConnectionState::Disconnected {
            self.resume_on_foreground = true;
            self.wants_connection = false;
            self.close_connection(ctx);
        }
        let post = match (batch, self.target.is_some()) {
            (Some(b), true) => self.post(b),
            _ => Box::pin(fut::ok(())),
        };
        Box::pin(post.map(|r, act, _| r.map(|()| act.state())))
    }
}

/// `app.foreground`: prepares a session that is not (one the daemon's restart left as the
/// store's record, like a host app calling `prepare` when the SDK is not prepared), views again
/// the page the background ended (extending the visit, or starting a new one after 30 minutes)
/// and reconnects a session that `app.background` disconnected. Failures are reported (`error`
/// event, journal) and never fail the call: the host is coming back to whatever state the
/// session is in.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub(crate) struct Foreground;

impl Session {
    /// The prepare an earlier run's record asks for, while this run has prepared nothing.
    fn prepare_as_before(&self) -> Option<super::Prepare> {
        if self.target.is_some() {
            return None;
        }
        let before = &self.known_threads.as_ref()?.prepared_for;
        Some(super::Prepare {
            environment: crate::session::persist::environment(&before.environment)?,
            brand_id: i64::try_from(before.brand_id).ok()?,
            channel_id: before.channel_id.clone(),
            customer: None,
        })
    }
}

impl Handler<Foreground> for Session {
    type Result = ResponseActFuture<Self, Result<SessionState, SessionError>>;

    fn handle(&mut self, _: Foreground, ctx: &mut Self::Context) -> Self::Result {
        let prepare = self.prepare_as_before();
        // Counted now, in order with the other lifecycle calls, unless the page view must wait
        // for the session to be prepared.
        let early = prepare
            .is_none()
            .then(|| self.visits.foreground(Instant::now()));
        let resume = std::mem::take(&mut self.resume_on_foreground);
        let addr = ctx.address();
        let again = addr.clone();
        let prepared = async move {
            match prepare {
                Some(p) => match again.send(p).await {
                    Ok(r) => r.map(drop),
                    Err(_) => Err(SessionError::Stopped),
                },
                None => Ok(()),
            }
        };
        Box::pin(
            prepared
                .into_actor(self)
                .then(move |prepared, act, _| {
                    if let Err(e) = prepared {
                        act.report_lifecycle("app.foreground: preparing the session again", e);
                    }
                    let batch = early.unwrap_or_else(|| act.visits.foreground(Instant::now()));
                    match (batch, act.target.is_some()) {
                        (Some(b), true) => act.post(b),
                        _ => Box::pin(fut::ok(())),
                    }
                })
                .then(move |posted, act, _| {
                    if let Err(e) = posted {
                        act.report_lifecycle("app.foreground: the page view", e);
                    }
                    async move {
                        if resume {
                            return match addr.send(super::Connect::default()).await {
                                Ok(r) => r.map(drop),
                                Err(_) => Err(SessionError::Stopped),
                            };
                        }
                        Ok(())
                    }
                    .into_actor(act)
                })
                .map(|resumed, act, _| {
                    if let Err(e) = resumed {
                        act.report_lifecycle("app.foreground: reconnecting", e);
                    }
                    Ok(act.state())
                }),
        )
    }
}

impl Session {
    /// A lifecycle step failed: the host hears it as an `error` event, the journal as a warning.
    fn report_lifecycle(&self, step: &str, e: SessionError) {
        tracing::warn!(session = %self.name, error = %e, "{step} failed");
        self.publish(
            cxone_chat_protocol::rpc::notifications::ErrorEvent {
                error: cxone_chat_protocol::rpc::errors::ErrorObject::from(&e),
                thread_id: None,
            }
            .into(),
        );
    }
}
