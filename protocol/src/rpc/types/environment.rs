//! Where a session's back end lives: a named CXone environment or custom URLs.

use schemars::JsonSchema;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// The back end of a session: `"EU1"`, or `{"chatUrl": …, "socketUrl": …, "tokenUrl"?: …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Environment {
    /// One of CXone's named environments.
    Named(EnvironmentName),
    /// Explicit endpoints (a private CXone cluster, or the emulator).
    Custom(CustomEnvironment),
}

/// CXone's named environments, as the mobile SDKs ship them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum EnvironmentName {
    /// North America.
    NA1,
    /// Europe.
    EU1,
    /// Australia.
    AU1,
    /// Canada.
    CA1,
    /// United Kingdom.
    UK1,
    /// Japan.
    JP1,
}

/// Explicit back-end endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomEnvironment {
    /// The chat REST base, ending in `/chat` (e.g. `https://channels-de-na1.niceincontact.com/chat`).
    pub chat_url: String,
    /// The WebSocket gateway (e.g. `wss://chat-gateway-de-na1.niceincontact.com`).
    pub socket_url: String,
    /// The OAuth / transaction-token base; derived from `chatUrl` when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

/// Chooses the variant from the JSON type, so a mistake gets the variant's own error ("unknown
/// variant `EU2`, expected one of …", "unknown field `chatURL`") instead of serde's "did not match
/// any variant of untagged enum".
impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        match value {
            serde_json::Value::String(_) => EnvironmentName::deserialize(value)
                .map(Environment::Named)
                .map_err(D::Error::custom),
            serde_json::Value::Object(_) => CustomEnvironment::deserialize(value)
                .map(Environment::Custom)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "an environment is a name (NA1, EU1, AU1, CA1, UK1, JP1) or an object \
                 {{chatUrl, socketUrl, tokenUrl?}}, not {other}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn named_and_custom() {
        assert_eq!(
            serde_json::from_value::<Environment>(json!("EU1")).unwrap(),
            Environment::Named(EnvironmentName::EU1)
        );
        let custom: Environment = serde_json::from_value(
            json!({"chatUrl": "http://127.0.0.1:1/chat", "socketUrl": "ws://127.0.0.1:1"}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&custom).unwrap()["socketUrl"],
            "ws://127.0.0.1:1"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = serde_json::from_value::<Environment>(json!("EU2"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("EU2") && e.contains("EU1"), "{e}");
        let e = serde_json::from_value::<Environment>(json!({"chatURL": "x", "socketUrl": "y"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("chatURL"), "{e}");
        assert!(serde_json::from_value::<Environment>(json!(3)).is_err());
    }
}
