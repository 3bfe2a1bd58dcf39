//! Request ids, kept exactly as the client wrote them.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A JSON-RPC request id: a string, a number, or `null`.
///
/// `Null` appears in requests that sent `"id": null` (allowed, though discouraged) and in
/// responses to messages whose id could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Id {
    /// `null`.
    Null,
    /// A number, kept as its original JSON text.
    Number(IdNumber),
    /// A string.
    String(String),
}

/// A numeric id as the exact JSON text the client sent.
///
/// Echoing the text instead of a parsed number keeps `1.0`, `1e3` or a 30-digit integer intact for
/// clients that compare ids by value in their own number type. Two ids are equal when their text
/// is equal, so `1` and `1.0` are different ids, as they are on the client's side of the wire.
#[derive(Clone)]
pub struct IdNumber(Box<RawValue>);

impl IdNumber {
    /// The JSON text of the number.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The number as a `u64`, when its text is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_str().parse().ok()
    }

    /// The number as an `i64`, when its text is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_str().parse().ok()
    }

    fn from_integer(n: impl fmt::Display) -> Self {
        // An integer's decimal text is always a valid JSON number.
        IdNumber(RawValue::from_string(n.to_string()).expect("an integer is valid JSON"))
    }
}

impl PartialEq for IdNumber {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for IdNumber {}

impl Hash for IdNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Id {
    /// Reads an id from the raw JSON of an `"id"` member, or says why it is not one.
    pub(crate) fn from_raw(raw: &RawValue) -> Result<Id, &'static str> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str(text)
                .map(Id::String)
                .map_err(|_| "unreadable id"),
            Some(b'n') => Ok(Id::Null),
            Some(b'-' | b'0'..=b'9') => Ok(Id::Number(IdNumber(raw.to_owned()))),
            _ => Err("\"id\" must be a string, a number or null"),
        }
    }
}

impl From<u64> for Id {
    fn from(n: u64) -> Self {
        Id::Number(IdNumber::from_integer(n))
    }
}

impl From<i64> for Id {
    fn from(n: i64) -> Self {
        Id::Number(IdNumber::from_integer(n))
    }
}

impl From<i32> for Id {
    fn from(n: i32) -> Self {
        Id::Number(IdNumber::from_integer(n))
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        Id::String(s)
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Id::String(s.to_owned())
    }
}

/// Shows the id as it appears on the wire (strings quoted), for logs.
impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Null => f.write_str("null"),
            Id::Number(n) => f.write_str(n.as_str()),
            Id::String(s) => write!(f, "{}", serde_json::Value::from(s.as_str())),
        }
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Id::Null => s.serialize_unit(),
            Id::Number(n) => n.0.serialize(s),
            Id::String(v) => s.serialize_str(v),
        }
    }
}

/// Works with serde_json's deserializers (text and `Value`), which is what this crate speaks.
impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Id::from_raw(&raw).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_echoed_exactly() {
        for text in [
            "1",
            "-0",
            "1.0",
            "1e3",
            "123456789012345678901234567890",
            "1e400",
            "-1.5E-7",
        ] {
            let id: Id = serde_json::from_str(text).unwrap();
            assert!(matches!(id, Id::Number(_)), "{text}");
            assert_eq!(serde_json::to_string(&id).unwrap(), text);
        }
    }

    #[test]
    fn strings_and_null() {
        let id: Id = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(id, Id::from("a\"b"));
        assert_eq!(id.to_string(), r#""a\"b""#);
        assert_eq!(serde_json::from_str::<Id>("null").unwrap(), Id::Null);
        assert_eq!(serde_json::to_string(&Id::Null).unwrap(), "null");
    }

    #[test]
    fn other_values_are_not_ids() {
        for text in ["true", "{}", "[1]"] {
            assert!(serde_json::from_str::<Id>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn integer_constructors_and_accessors() {
        let Id::Number(n) = Id::from(42u64) else {
            panic!("not a number")
        };
        assert_eq!(
            (n.as_u64(), n.as_i64(), n.as_str()),
            (Some(42), Some(42), "42")
        );
        assert_eq!(Id::from(-3i64).to_string(), "-3");
        assert_ne!(
            serde_json::from_str::<Id>("1").unwrap(),
            serde_json::from_str::<Id>("1.0").unwrap()
        );
    }

    #[test]
    fn deserializes_from_a_value_too() {
        let id: Id = serde_json::from_value(serde_json::json!(7)).unwrap();
        assert_eq!(id, Id::from(7));
    }
}
