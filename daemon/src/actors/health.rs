//! Liveness of the critical actors, behind the service manager's watchdog.
//!
//! Every critical actor answers [`Ping`] from its own mailbox, so an answer proves that the
//! actor still takes messages (a wedged actor — stuck in a `ctx.wait` that never ends, or
//! whose mailbox never drains — does not answer). Actors join the [`Registry`] where they are
//! started, with one line:
//!
//! ```text
//! critical_actor!(MyActor);                    // once, in the actor's own file
//! state.health.register("my-actor", &addr);    // where it is started
//! ```
//!
//! The [`HealthMonitor`] pings every registered actor at half the watchdog interval and sends
//! `WATCHDOG=1` only when all of them answered within the ping timeout. The registry holds weak
//! addresses: it never keeps an actor alive, and an actor that stopped on purpose (a closed
//! session, whose last address was dropped) leaves it by itself. A panicking actor takes the
//! whole process down (see `run.rs`), so the registry never waits on the dead.
//!
//! Covered now: the event hub, the RPC server (the acceptor), the large-event fetcher, and every
//! session's actors (session, OAuth, thread registry, live chat). Client
//! connections are not critical: a stuck client only lags its own connection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::WeakRecipient;
use actix::prelude::*;
use futures_util::future::join_all;

use crate::notify::Notifier;

/// "Are you taking messages?" — answered by every critical actor from its mailbox.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub(crate) struct Ping;

/// Test hook (debug builds only): the actor stops taking messages for good, as a wedged actor
/// would. Reached through `debug.wedge` when the daemon runs with `CXONE_CHATD_TEST_HOOKS=1`.
#[cfg(debug_assertions)]
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub(crate) struct Wedge;

/// An actor the watchdog depends on.
#[cfg(debug_assertions)]
pub(crate) trait Critical:
    Actor<Context = Context<Self>> + Handler<Ping> + Handler<Wedge>
{
}
/// An actor the watchdog depends on.
#[cfg(not(debug_assertions))]
pub(crate) trait Critical: Actor<Context = Context<Self>> + Handler<Ping> {}

/// Makes `$actor` answer [`Ping`] (and, in debug builds, [`Wedge`]). Each critical actor says
/// so in its own file, so that this module names no actor.
macro_rules! critical_actor {
    ($actor:ty) => {
        impl actix::Handler<$crate::actors::health::Ping> for $actor {
            type Result = ();
            fn handle(&mut self, _: $crate::actors::health::Ping, _: &mut actix::Context<Self>) {}
        }
        #[cfg(debug_assertions)]
        impl actix::Handler<$crate::actors::health::Wedge> for $actor {
            type Result = ();
            fn handle(&mut self, _: $crate::actors::health::Wedge, ctx: &mut actix::Context<Self>) {
                tracing::warn!(
                    actor = stringify!($actor),
                    "wedged on purpose by the debug.wedge test hook"
                );
                actix::AsyncContext::wait(
                    ctx,
                    actix::fut::wrap_future(std::future::pending::<()>()),
                );
            }
        }
        impl $crate::actors::health::Critical for $actor {}
    };
}
pub(crate) use critical_actor;

#[derive(Debug)]
struct Entry {
    name: String,
    ping: WeakRecipient<Ping>,
    #[cfg(debug_assertions)]
    wedge: WeakRecipient<Wedge>,
}

impl Entry {
    fn alive(&self) -> Option<Recipient<Ping>> {
        self.ping.upgrade().filter(Recipient::connected)
    }
}

/// The critical actors, by name.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    entries: Mutex<Vec<Entry>>,
}

/// The actors that did not answer in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unhealthy(pub(crate) Vec<String>);

impl Registry {
    /// Adds a critical actor (replacing an earlier one of the same name).
    pub(crate) fn register<A: Critical>(&self, name: impl Into<String>, addr: &Addr<A>) {
        let name = name.into();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|e| e.name != name);
        entries.push(Entry {
            name,
            ping: addr.downgrade().recipient(),
            #[cfg(debug_assertions)]
            wedge: addr.downgrade().recipient(),
        });
    }

    /// The registered actors still running, by name (for the test hook's error).
    #[cfg(debug_assertions)]
    pub(crate) fn names(&self) -> Vec<String> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|e| e.alive().is_some());
        entries.iter().map(|e| e.name.clone()).collect()
    }

    /// Pings every registered actor at once; `Err` names those that did not answer within
    /// `timeout`.
    pub(crate) async fn check(&self, timeout: Duration) -> Result<usize, Unhealthy> {
        let pings: Vec<(String, Recipient<Ping>)> = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            // Stopped on purpose (a closed session): no longer critical.
            entries.retain(|e| e.alive().is_some());
            entries
                .iter()
                .filter_map(|e| Some((e.name.clone(), e.alive()?)))
                .collect()
        };
        let count = pings.len();
        let answers = join_all(pings.into_iter().map(|(name, ping)| async move {
            let answered = matches!(
                tokio::time::timeout(timeout, ping.send(Ping)).await,
                Ok(Ok(()))
            );
            (name, answered)
        }))
        .await;
        let failed: Vec<String> = answers
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(name, _)| name)
            .collect();
        if failed.is_empty() {
            Ok(count)
        } else {
            Err(Unhealthy(failed))
        }
    }

    /// Test hook: wedges the actor called `name`; false when there is none.
    #[cfg(debug_assertions)]
    pub(crate) fn wedge(&self, name: &str) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.iter().find(|e| e.name == name) {
            Some(e) => match e.wedge.upgrade() {
                Some(r) => {
                    r.do_send(Wedge);
                    true
                }
                None => false,
            },
            None => false,
        }
    }
}

/// Pings the critical actors and feeds the service manager's watchdog while they all answer.
#[derive(Debug)]
pub(crate) struct HealthMonitor {
    registry: Arc<Registry>,
    notifier: Arc<Notifier>,
    period: Duration,
    timeout_ms: Arc<AtomicU64>,
    checking: bool,
    unhealthy: Option<Unhealthy>,
}

impl HealthMonitor {
    /// A monitor for a watchdog `interval`: it checks at half of it. `timeout_ms` is the
    /// current ping timeout (a live setting), capped at the check period.
    pub(crate) fn new(
        registry: Arc<Registry>,
        notifier: Arc<Notifier>,
        interval: Duration,
        timeout_ms: Arc<AtomicU64>,
    ) -> Self {
        Self {
            registry,
            notifier,
            period: interval / 2,
            timeout_ms,
            checking: false,
            unhealthy: None,
        }
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        // A check still waiting on a slow actor is not doubled up.
        if self.checking {
            return;
        }
        self.checking = true;
        let registry = self.registry.clone();
        let timeout =
            Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed)).min(self.period);
        let check = async move { registry.check(timeout).await };
        ctx.spawn(check.into_actor(self).map(|result, act, _| {
            act.checking = false;
            match result {
                Ok(_) => {
                    if act.unhealthy.take().is_some() {
                        tracing::info!("every critical actor answers again; the watchdog is fed");
                    }
                    act.notifier.watchdog();
                }
                Err(u) => {
                    if act.unhealthy.as_ref() != Some(&u) {
                        tracing::error!(actors = ?u.0, "critical actors do not answer; the watchdog is no longer fed, so the service manager will restart cxone-chatd");
                        // What `systemctl status` shows until the restart.
                        act.notifier.status(&format!(
                            "degraded: {} not answering; the watchdog is no longer fed",
                            u.0.join(", ")
                        ));
                    }
                    act.unhealthy = Some(u);
                }
            }
        }));
    }
}

impl Actor for HealthMonitor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.tick(ctx);
        ctx.run_interval(self.period, |act, ctx| act.tick(ctx));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    impl Actor for Plain {
        type Context = Context<Self>;
    }
    critical_actor!(Plain);

    #[actix::test]
    async fn answering_actors_pass_and_a_wedged_one_is_named() {
        let registry = Registry::default();
        let (a, b) = (Plain.start(), Plain.start());
        registry.register("a", &a);
        registry.register("b", &b);
        assert_eq!(registry.check(Duration::from_millis(200)).await, Ok(2));
        assert!(registry.wedge("b"));
        assert!(!registry.wedge("nobody"));
        assert_eq!(
            registry.check(Duration::from_millis(200)).await,
            Err(Unhealthy(vec!["b".into()]))
        );
    }

    #[actix::test]
    async fn a_stopped_actor_leaves_the_registry() {
        let registry = Registry::default();
        let a = Plain.start();
        registry.register("a", &a);
        registry.register("gone", &Plain.start());
        // Its only address was dropped: the actor stops (the registry does not keep it alive).
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(registry.names(), vec!["a".to_owned()]);
        assert_eq!(registry.check(Duration::from_millis(200)).await, Ok(1));
    }
}
