//! `analytics.*`: page views, the chat window, conversions and proactive actions, reported to
//! the back end's analytics.

use cxone_chat_protocol::rpc::errors::ErrorObject;
use cxone_chat_protocol::rpc::methods::analytics::{
    AnalyticsConversionParams, AnalyticsCustomVisitorEventParams, AnalyticsPageParams,
    AnalyticsProactiveActionParams,
};
use cxone_chat_protocol::rpc::methods::{Empty, SessionParams};
use cxone_chat_protocol::rpc::types::SessionName;

use crate::actors::session::{Analytics, AnalyticsCall, CustomVisitorEvent};
use crate::rpc::dispatcher::{Ctx, ask};
use crate::rpc::sessions::find;

pub(crate) async fn page_view(ctx: &Ctx, p: AnalyticsPageParams) -> Result<Empty, ErrorObject> {
    let call = AnalyticsCall::PageView {
        title: p.title,
        url: p.url,
    };
    report(ctx, &p.session, call).await
}

pub(crate) async fn page_view_ended(
    ctx: &Ctx,
    p: AnalyticsPageParams,
) -> Result<Empty, ErrorObject> {
    let call = AnalyticsCall::PageViewEnded {
        title: p.title,
        url: p.url,
    };
    report(ctx, &p.session, call).await
}

pub(crate) async fn chat_window_open(ctx: &Ctx, p: SessionParams) -> Result<Empty, ErrorObject> {
    report(ctx, &p.session, AnalyticsCall::ChatWindowOpen).await
}

pub(crate) async fn conversion(
    ctx: &Ctx,
    p: AnalyticsConversionParams,
) -> Result<Empty, ErrorObject> {
    let call = AnalyticsCall::Conversion {
        kind: p.conversion_type,
        value: p.conversion_value,
        time: p.time.map(|t| t.0),
    };
    report(ctx, &p.session, call).await
}

pub(crate) async fn proactive_action(
    ctx: &Ctx,
    p: AnalyticsProactiveActionParams,
) -> Result<Empty, ErrorObject> {
    let call = AnalyticsCall::ProactiveAction {
        id: p.action_id,
        name: p.action_name,
        action_type: p.action_type,
        outcome: p.outcome,
    };
    report(ctx, &p.session, call).await
}

async fn report(
    ctx: &Ctx,
    session: &SessionName,
    call: AnalyticsCall,
) -> Result<Empty, ErrorObject> {
    ask(&find(&ctx.state, session).await?.session, Analytics(call)).await?;
    Ok(Empty {})
}

/// Over the connection, not the analytics endpoint: Android sends it as a WebSocket event.
pub(crate) async fn custom_visitor_event(
    ctx: &Ctx,
    p: AnalyticsCustomVisitorEventParams,
) -> Result<Empty, ErrorObject> {
    let session = find(&ctx.state, &p.session).await?.session;
    ask(&session, CustomVisitorEvent(p.data)).await?;
    Ok(Empty {})
}
