//! `events.*`: subscribing to the event stream (with replay), unsubscribing, long-polling.

use std::time::Duration;

use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::events::{
    EventsPollParams, EventsPollResult, EventsSubscribeParams, EventsSubscribeResult,
    EventsUnsubscribeParams, EventsUnsubscribeResult,
};
use cxone_chat_protocol::rpc::notifications::EventCursor;

use crate::actors::event_hub::{Poll, PollAnswer, Subscribe, Unsubscribe};
use crate::event_log::Filter;
use crate::rpc::dispatcher::{Ctx, internal};

pub(crate) async fn subscribe(
    ctx: &Ctx,
    p: EventsSubscribeParams,
) -> Result<EventsSubscribeResult, ErrorObject> {
    let filter = Filter {
        session: p.session,
        kinds: p.kinds,
    };
    let msg = Subscribe {
        sink: ctx.sink.clone(),
        filter,
        since: p.since,
    };
    match ctx.state.hub.send(msg).await {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(e)) => Err(ErrorObject::new(ErrorCode::Overloaded).with_detail(e.to_string())),
        Err(e) => Err(internal(e)),
    }
}

pub(crate) async fn unsubscribe(
    ctx: &Ctx,
    p: EventsUnsubscribeParams,
) -> Result<EventsUnsubscribeResult, ErrorObject> {
    let msg = Unsubscribe {
        client: ctx.client,
        subscription: p.subscription,
    };
    let unsubscribed = ctx.state.hub.send(msg).await.map_err(internal)?;
    Ok(EventsUnsubscribeResult { unsubscribed })
}

pub(crate) async fn poll(ctx: &Ctx, p: EventsPollParams) -> Result<EventsPollResult, ErrorObject> {
    let max = ctx.state.options().max_poll_timeout_ms;
    if p.timeout_ms > max {
        return Err(ErrorObject::new(ErrorCode::InvalidParameter)
            .with_field("timeoutMs")
            .with_detail(format!("timeoutMs may be at most {max}")));
    }
    let limit = p.limit.map_or(1000, |l| l as usize);
    let filter = Filter {
        session: p.session,
        kinds: p.kinds,
    };
    let since = p.since.clone();
    let answer = ctx
        .state
        .hub
        .send(Poll {
            filter,
            since,
            limit,
        })
        .await
        .map_err(internal)?;
    match answer {
        PollAnswer::Ready(result) => Ok(result),
        PollAnswer::Wait(rx, head) => {
            let next = p.since.unwrap_or(head);
            match tokio::time::timeout(Duration::from_millis(p.timeout_ms), rx).await {
                Ok(Ok(event)) => {
                    let next = EventCursor {
                        epoch: event.epoch.clone(),
                        seq: event.seq,
                    };
                    Ok(EventsPollResult {
                        events: vec![event],
                        next,
                    })
                }
                // Nothing within the timeout: an empty answer with the same cursor.
                _ => Ok(EventsPollResult {
                    events: Vec::new(),
                    next,
                }),
            }
        }
    }
}
