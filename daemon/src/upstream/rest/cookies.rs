//! The cookie of the secured-cookie authentication type (PROTOCOL.md §1.8, §4.2): the token
//! endpoint keeps the customer's identity in an HTTP-only cookie, and a client that wants to stay
//! the same customer across restarts must send it back on every later token request.
//!
//! reqwest's `cookies` feature only offers an in-memory jar, and the cookie is only ever needed
//! by one endpoint, so this is a small, persistable jar of `name=value` pairs instead: the
//! caller stores [`SecuredCookies::to_persisted`] (a secret, like a refresh token) and restores
//! it with [`SecuredCookies::from_persisted`]. Domain and path scoping do not apply (one
//! endpoint); `Max-Age=0` and an empty value delete a cookie; other expiry dates are left to
//! the server, which refuses a stale cookie by issuing a new identity.

use std::fmt;

use reqwest::header::{HeaderMap, SET_COOKIE};

/// The token endpoint's cookies. `Debug` shows names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecuredCookies {
    pairs: Vec<(String, String)>,
}

impl SecuredCookies {
    /// An empty jar (a first-time customer).
    pub fn new() -> Self {
        Self::default()
    }

    /// Restores a jar saved with [`to_persisted`](Self::to_persisted). Malformed entries are
    /// skipped: a damaged file costs the identity, never a crash.
    pub fn from_persisted(text: &str) -> Self {
        let mut jar = Self::new();
        for item in text.split(';') {
            if let Some((name, value)) = split_pair(item) {
                jar.set(name, value);
            }
        }
        jar
    }

    /// The jar as one line, `name=value; name2=value2` (the `Cookie` header format).
    pub fn to_persisted(&self) -> String {
        self.pairs
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether the jar holds no cookie.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The value of the `Cookie` request header, if there is anything to send.
    pub(crate) fn header_value(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_persisted())
    }

    /// Takes in every `Set-Cookie` of a response.
    pub(crate) fn absorb(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, value)) = parts.next().and_then(split_pair) else {
                continue;
            };
            let deleted = parts.any(|attr| {
                let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
                k.trim().eq_ignore_ascii_case("max-age")
                    && v.trim().parse::<i64>().is_ok_and(|age| age <= 0)
            });
            if deleted || value.is_empty() {
                self.pairs.retain(|(n, _)| n != name);
            } else {
                self.set(name, value);
            }
        }
    }

    fn set(&mut self, name: &str, value: &str) {
        match self.pairs.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = value.to_owned(),
            None => self.pairs.push((name.to_owned(), value.to_owned())),
        }
    }
}

/// `name=value` with surrounding whitespace removed; `None` without a name or an `=`.
fn split_pair(item: &str) -> Option<(&str, &str)> {
    let (name, value) = item.split_once('=')?;
    let (name, value) = (name.trim(), value.trim());
    (!name.is_empty()).then_some((name, value))
}

impl fmt::Debug for SecuredCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.pairs.iter().map(|(n, _)| format!("{n}=<redacted>")))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(set_cookies: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in set_cookies {
            h.append(SET_COOKIE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn set_cookie_values_are_kept_replaced_and_deleted() {
        let mut jar = SecuredCookies::new();
        assert_eq!(jar.header_value(), None);
        jar.absorb(&headers(&[
            "cxone_identity=abc; Path=/; HttpOnly; SameSite=None",
            "other=1",
        ]));
        assert_eq!(
            jar.header_value().as_deref(),
            Some("cxone_identity=abc; other=1")
        );
        jar.absorb(&headers(&["cxone_identity=def; Secure", "other=; Path=/"]));
        assert_eq!(jar.to_persisted(), "cxone_identity=def");
        jar.absorb(&headers(&[
            "cxone_identity=x; Max-Age=0",
            "=nameless",
            "garbage",
        ]));
        assert!(jar.is_empty());
    }

    #[test]
    fn the_persisted_form_round_trips_and_survives_damage() {
        let jar = SecuredCookies::from_persisted("a=1; b = 2 ;; =x; junk; c=");
        assert_eq!(jar.to_persisted(), "a=1; b=2; c=");
        assert_eq!(SecuredCookies::from_persisted(&jar.to_persisted()), jar);
        assert_eq!(
            format!("{jar:?}"),
            r#"{"a=<redacted>", "b=<redacted>", "c=<redacted>"}"#
        );
    }
}
