//! Fault switches set through the admin API, so tests can exercise a client's error paths:
//! refused authorizations, delayed or withheld replies, failing bucket downloads, malformed
//! frames. Each switch is a counter or a rule that the code path consuming it checks.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;

/// The active faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Refuse this many of the next authorizations (`AuthorizeCustomer`, reconnects, token
    /// requests) with the matching error.
    pub refuse_authorizations: u32,
    /// Delay the reply to these request event types (`*` for all).
    pub delays: HashMap<String, Duration>,
    /// Withhold (never send) this many of the next replies to these event types (`*` for all).
    pub withhold: HashMap<String, u32>,
    /// Fail this many of the next bucket downloads with HTTP 500.
    pub fail_bucket_downloads: u32,
    /// Fail this many of the next channel-configuration requests with HTTP 503.
    pub fail_channel_config: u32,
    /// Fail this many of the next live-chat availability requests with HTTP 503.
    pub fail_availability: u32,
}

/// `POST /admin/faults` body: every field optional; what is given is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FaultsRequest {
    pub refuse_authorizations: Option<u32>,
    /// `{ "SendMessage": 2000, "*": 0 }` — milliseconds; 0 removes the delay.
    pub delay_replies_ms: Option<HashMap<String, u64>>,
    /// `{ "RecoverThread": 1 }` — how many replies to drop.
    pub withhold_replies: Option<HashMap<String, u32>>,
    pub fail_bucket_downloads: Option<u32>,
    pub fail_channel_config: Option<u32>,
    pub fail_availability: Option<u32>,
}

impl Faults {
    /// Applies an admin request.
    pub(crate) fn apply(&mut self, r: FaultsRequest) {
        if let Some(n) = r.refuse_authorizations {
            self.refuse_authorizations = n;
        }
        for (k, ms) in r.delay_replies_ms.into_iter().flatten() {
            if ms == 0 {
                self.delays.remove(&k);
            } else {
                self.delays.insert(k, Duration::from_millis(ms));
            }
        }
        for (k, n) in r.withhold_replies.into_iter().flatten() {
            if n == 0 {
                self.withhold.remove(&k);
            } else {
                self.withhold.insert(k, n);
            }
        }
        if let Some(n) = r.fail_bucket_downloads {
            self.fail_bucket_downloads = n;
        }
        if let Some(n) = r.fail_channel_config {
            self.fail_channel_config = n;
        }
        if let Some(n) = r.fail_availability {
            self.fail_availability = n;
        }
    }

    /// Takes one unit of a counter; true when the fault fires.
    pub(crate) fn take(counter: &mut u32) -> bool {
        if *counter > 0 {
            *counter -= 1;
            true
        } else {
            false
        }
    }

    /// Whether the reply to `event_type` is to be dropped (consumes one unit).
    pub(crate) fn withhold_reply(&mut self, event_type: &str) -> bool {
        for key in [event_type, "*"] {
            if let Some(n) = self.withhold.get_mut(key) {
                let fire = Self::take(n);
                if *n == 0 {
                    self.withhold.remove(key);
                }
                if fire {
                    return true;
                }
            }
        }
        false
    }

    /// How long to hold back the reply to `event_type`.
    pub(crate) fn reply_delay(&self, event_type: &str) -> Option<Duration> {
        self.delays
            .get(event_type)
            .or_else(|| self.delays.get("*"))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withheld_replies_are_counted_down_and_forgotten() {
        let mut f = Faults::default();
        f.apply(FaultsRequest {
            withhold_replies: Some(HashMap::from([("RecoverThread".into(), 2)])),
            ..Default::default()
        });
        assert!(f.withhold_reply("RecoverThread"));
        assert!(!f.withhold_reply("SendMessage"));
        assert!(f.withhold_reply("RecoverThread"));
        assert!(!f.withhold_reply("RecoverThread"));
        assert!(f.withhold.is_empty());
    }

    #[test]
    fn delays_apply_per_type_with_a_wildcard_and_zero_clears() {
        let mut f = Faults::default();
        f.apply(FaultsRequest {
            delay_replies_ms: Some(HashMap::from([
                ("*".into(), 50),
                ("SendMessage".into(), 900),
            ])),
            ..Default::default()
        });
        assert_eq!(
            f.reply_delay("SendMessage"),
            Some(Duration::from_millis(900))
        );
        assert_eq!(
            f.reply_delay("RecoverThread"),
            Some(Duration::from_millis(50))
        );
        f.apply(FaultsRequest {
            delay_replies_ms: Some(HashMap::from([("*".into(), 0)])),
            ..Default::default()
        });
        assert_eq!(f.reply_delay("RecoverThread"), None);
    }
}
