//! The reconnect policy of the WebSocket (PROTOCOL.md §2.5): jittered exponential delays that
//! never give up, and that start over once a connection has stayed up long enough to count as
//! healthy.
//!
//! The SDKs give up after 20 attempts; a daemon must not (a kiosk that lost its network for an
//! hour has to come back by itself), so the delay is capped instead. Unlike iOS, which never
//! resets its counter (§5.6), a connection that stays up for [`BackoffConfig::stable_after`]
//! resets the schedule; a connection that flaps keeps backing off.
//!
//! This is a small struct rather than backon's `ExponentialBuilder` because backon's jitter
//! *adds* up to 100 % on top of the capped delay (a 60 s cap becomes up to 120 s) and its
//! iterator cannot be reset; here the jitter only ever shortens a delay, so the cap holds.

use std::fmt;
use std::time::{Duration, Instant};

/// Parameters of [`ReconnectBackoff`].
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffConfig {
    /// The first delay (before jitter).
    pub initial: Duration,
    /// Growth per attempt; values below 1 are treated as 1.
    pub factor: f64,
    /// No delay exceeds this.
    pub max: Duration,
    /// Fraction of each delay that is random, in `0..=1`: a delay `d` becomes a value in
    /// `(d × (1 − jitter), d]`, which spreads the reconnects of many kiosks after an outage.
    pub jitter: f64,
    /// A connection that stays up this long resets the schedule.
    pub stable_after: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            factor: 1.5,
            max: Duration::from_secs(60),
            jitter: 0.5,
            stable_after: Duration::from_secs(30),
        }
    }
}

/// The reconnect schedule of one connection: ask [`next_delay`](Self::next_delay) after every
/// failed attempt or lost connection, and report [`connected`](Self::connected) /
/// [`disconnected`](Self::disconnected) so that a stable connection resets it.
pub struct ReconnectBackoff {
    config: BackoffConfig,
    attempt: u32,
    connected_at: Option<Instant>,
    random: Box<dyn FnMut() -> f64 + Send>,
}

impl fmt::Debug for ReconnectBackoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReconnectBackoff")
            .field("config", &self.config)
            .field("attempt", &self.attempt)
            .field("connected_at", &self.connected_at)
            .finish_non_exhaustive()
    }
}

impl ReconnectBackoff {
    /// A schedule with random jitter from the operating system's generator.
    pub fn new(config: BackoffConfig) -> Self {
        Self::with_random(config, random_unit)
    }

    /// A schedule whose jitter comes from `random`, which must return values in `0..1` (tests
    /// pass a constant to check the bounds exactly).
    pub fn with_random(
        config: BackoffConfig,
        random: impl FnMut() -> f64 + Send + 'static,
    ) -> Self {
        Self {
            config,
            attempt: 0,
            connected_at: None,
            random: Box::new(random),
        }
    }

    /// The delay to wait before the next attempt; each call moves one step along the schedule.
    pub fn next_delay(&mut self) -> Duration {
        let nominal = self.nominal_delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        let jitter = self.config.jitter.clamp(0.0, 1.0);
        let r = (self.random)().clamp(0.0, 1.0);
        nominal.mul_f64(1.0 - jitter * r)
    }

    /// The delay before jitter at step `attempt` (0 for the first): `initial × factor^attempt`,
    /// capped at `max`.
    pub fn nominal_delay(&self, attempt: u32) -> Duration {
        let factor = self.config.factor.max(1.0);
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let secs = self.config.initial.as_secs_f64() * factor.powi(exponent);
        let max = self.config.max.as_secs_f64();
        // `min` first: a huge exponent gives infinity, which `Duration` cannot hold.
        Duration::from_secs_f64(if secs.is_finite() { secs.min(max) } else { max })
    }

    /// How many delays were handed out since the schedule last started over.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// A connection was established at `at`.
    pub fn connected(&mut self, at: Instant) {
        self.connected_at = Some(at);
    }

    /// The connection established last was lost at `at`. If it had stayed up for at least
    /// `stable_after`, the schedule starts over (the next delay is the initial one again).
    pub fn disconnected(&mut self, at: Instant) {
        if let Some(since) = self.connected_at.take()
            && at.saturating_duration_since(since) >= self.config.stable_after
        {
            self.reset();
        }
    }

    /// Starts the schedule over, e.g. after the user reconnected by hand.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// A uniform value in `0..1`. The workspace has no `rand`; a v4 UUID is 122 bits from the
/// operating system's generator, and its last 7 bytes are all random (the version and variant
/// bits sit in bytes 6 and 8), so the low 53 bits make an unbiased `f64` mantissa.
fn random_unit() -> f64 {
    const MANTISSA: u32 = 53;
    let bits = uuid::Uuid::new_v4().as_u128() & ((1u128 << MANTISSA) - 1);
    bits as f64 / (1u128 << MANTISSA) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(r: f64) -> ReconnectBackoff {
        ReconnectBackoff::with_random(BackoffConfig::default(), move || r)
    }

    #[test]
    fn delays_grow_by_the_factor_until_the_cap() {
        let mut b = fixed(0.0); // no jitter taken: nominal delays
        let delays: Vec<f64> = (0..14).map(|_| b.next_delay().as_secs_f64()).collect();
        assert_eq!(&delays[..4], &[1.0, 1.5, 2.25, 3.375]);
        for pair in delays.windows(2) {
            assert!(pair[1] >= pair[0], "{delays:?}");
        }
        assert!(delays.iter().all(|d| *d <= 60.0), "{delays:?}");
        assert_eq!(delays[13], 60.0, "1.5^13 > 60: capped");
        assert_eq!(b.attempt(), 14);
    }

    #[test]
    fn it_never_gives_up_and_huge_attempt_counts_stay_at_the_cap() {
        let mut b = fixed(0.0);
        for _ in 0..10_000 {
            assert!(b.next_delay() <= Duration::from_secs(60));
        }
        assert_eq!(b.nominal_delay(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn jitter_only_shortens_and_stays_within_its_fraction() {
        // r → 1 takes the whole jitter fraction off: half the nominal delay, never less.
        let mut low = fixed(0.999_999);
        let mut high = fixed(0.0);
        for step in 0..20 {
            let (l, h) = (low.next_delay(), high.next_delay());
            assert!(l <= h, "step {step}");
            assert!(
                l.as_secs_f64() > h.as_secs_f64() * 0.5 - 1e-9,
                "step {step}: {l:?} vs {h:?}"
            );
        }
        let mut real = ReconnectBackoff::new(BackoffConfig::default());
        for _ in 0..200 {
            real.reset();
            let d = real.next_delay();
            assert!(
                d > Duration::from_millis(499) && d <= Duration::from_secs(1),
                "{d:?}"
            );
        }
    }

    #[test]
    fn random_values_are_in_the_unit_interval_and_vary() {
        let values: Vec<f64> = (0..100).map(|_| random_unit()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let first = values[0];
        assert!(values.iter().any(|v| *v != first));
    }

    #[test]
    fn a_stable_connection_resets_the_schedule_and_a_flapping_one_does_not() {
        let mut b = fixed(0.0);
        let t0 = Instant::now();
        for _ in 0..5 {
            b.next_delay();
        }
        b.connected(t0);
        b.disconnected(t0 + Duration::from_secs(29));
        assert_eq!(b.attempt(), 5, "up 29 s: still flapping");
        assert_eq!(b.next_delay(), b.nominal_delay(5));

        b.connected(t0);
        b.disconnected(t0 + Duration::from_secs(30));
        assert_eq!(b.attempt(), 0);
        assert_eq!(b.next_delay(), Duration::from_secs(1));

        b.disconnected(t0 + Duration::from_secs(300));
        assert_eq!(
            b.attempt(),
            1,
            "a disconnect without a connect changes nothing"
        );
        b.reset();
        assert_eq!(b.attempt(), 0);
    }
}
