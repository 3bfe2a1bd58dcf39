//! The handlers of the local API, one file per method group (the groups of
//! `protocol::rpc::methods`), and [`register`], the one list that routes each method to its
//! handler, and [`router`], the daemon's one dispatcher built from it. Adding a method is one
//! line here and one function in its group's file.

pub(crate) mod analytics;
pub(crate) mod customer;
pub(crate) mod events;
pub(crate) mod lifecycle;
pub(crate) mod meta;
pub(crate) mod session;
pub(crate) mod thread;
pub(crate) mod threads;

use cxone_chat_protocol::rpc::methods::{
    analytics as a, customer as c, events as e, lifecycle as l, meta as m, session as s,
    thread as t, threads as ts,
};

use std::sync::LazyLock;

use super::dispatcher::Dispatcher;

/// The daemon's dispatcher, built on first use.
pub(crate) fn router() -> &'static Dispatcher {
    static ROUTER: LazyLock<Dispatcher> = LazyLock::new(|| {
        let mut d = Dispatcher::default();
        register(&mut d);
        d
    });
    &ROUTER
}

/// Routes every method of the API to its handler.
fn register(d: &mut Dispatcher) {
    d.on_constant::<m::RpcDiscover>(meta::discover)
        .on_constant::<m::DaemonInfo>(meta::info)
        .on::<m::DaemonStatus>(meta::status)
        .on::<m::DaemonSetLogLevel>(meta::set_log_level)
        .on::<e::EventsSubscribe>(events::subscribe)
        .on::<e::EventsUnsubscribe>(events::unsubscribe)
        .on::<e::EventsPoll>(events::poll)
        .on::<s::SessionPrepare>(session::prepare)
        .on::<s::SessionConnect>(session::connect)
        .on::<s::SessionDisconnect>(session::disconnect)
        .on::<s::SessionGetState>(session::state)
        .on::<s::SessionClose>(session::close)
        .on::<s::SessionExecuteTrigger>(session::execute_trigger)
        .on::<s::SessionAvailability>(session::availability)
        .on::<s::SessionSendOfflineMessage>(session::send_offline_message)
        .on::<ts::ThreadsList>(threads::list)
        .on::<ts::ThreadsGet>(threads::get)
        .on::<ts::ThreadsCreate>(threads::create)
        .on::<ts::ThreadsLoad>(threads::load)
        .on::<ts::ThreadsPreChatSurvey>(threads::pre_chat_survey)
        .on::<t::ThreadSend>(thread::send)
        .on::<t::ThreadLoadMore>(thread::load_more)
        .on::<t::ThreadRename>(thread::rename)
        .on::<t::ThreadArchive>(thread::archive)
        .on::<t::ThreadMarkRead>(thread::mark_read)
        .on::<t::ThreadTyping>(thread::typing)
        .on::<t::ThreadEndContact>(thread::end_contact)
        .on::<t::ThreadSendTranscript>(thread::send_transcript)
        .on::<t::ThreadSetCustomFields>(thread::set_custom_fields)
        .on::<c::CustomerGet>(customer::get)
        .on::<c::CustomerSet>(customer::set)
        .on::<c::CustomerSetCustomFields>(customer::set_custom_fields)
        .on::<c::CustomerSetDeviceToken>(customer::set_device_token)
        .on::<c::CustomerAuthorize>(customer::authorize)
        .on::<l::AppForeground>(lifecycle::foreground)
        .on::<l::AppBackground>(lifecycle::background)
        .on::<a::AnalyticsPageView>(analytics::page_view)
        .on::<a::AnalyticsPageViewEnded>(analytics::page_view_ended)
        .on::<a::AnalyticsChatWindowOpen>(analytics::chat_window_open)
        .on::<a::AnalyticsConversion>(analytics::conversion)
        .on::<a::AnalyticsProactiveAction>(analytics::proactive_action)
        .on::<a::AnalyticsCustomVisitorEvent>(analytics::custom_visitor_event);
    // Debug builds only: wedges a critical actor so that tests can see the watchdog stop.
    #[cfg(debug_assertions)]
    d.hook(meta::WEDGE, meta::wedge);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use cxone_chat_protocol::rpc::methods::ALL_METHODS;
    use serde_json::Value;

    use super::router;

    #[test]
    fn every_published_method_is_served_and_nothing_else() {
        let served: Vec<&str> = router().served().collect();
        let mut published: Vec<&str> = ALL_METHODS.iter().map(|m| m.name).collect();
        published.sort_unstable();
        assert_eq!(served, published);
    }

    /// Each handler answers with the result type the committed OpenRPC document publishes for
    /// its method: the registration's schema, generated the way the document is, equals the
    /// document's.
    #[test]
    fn every_registration_answers_with_the_published_result_schema() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../protocol/openrpc.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let published: BTreeMap<&str, &Value> = doc["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["name"].as_str().unwrap(), &m["result"]["schema"]))
            .collect();
        for name in router().served() {
            assert_eq!(
                router().result_schema(name).as_ref(),
                Some(published[name]),
                "{name}: the handler's result type is not the published one"
            );
        }
    }
}
