//! What a session keeps on disk, converted to and from the store's records: the visitor, the
//! customer, its access token and what the session was prepared for. Plain functions; the store
//! does the I/O.

use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::rpc::types::{CustomEnvironment, Environment, EnvironmentName};

use crate::store::{
    CustomEndpoints, PreparedFor, SessionRecord, StoredCustomer, StoredEnvironment,
};

/// The record of a prepared session.
pub(crate) fn record(
    visitor_id: &str,
    customer: &CustomerIdentity,
    environment: &Environment,
    brand_id: i64,
    channel_id: &str,
) -> Option<SessionRecord> {
    let visitor = uuid::Uuid::parse_str(visitor_id).ok()?;
    let environment = match environment {
        Environment::Named(n) => StoredEnvironment::Named(format!("{n:?}")),
        Environment::Custom(c) => StoredEnvironment::Custom(CustomEndpoints {
            chat_url: c.chat_url.clone(),
            socket_url: c.socket_url.clone(),
            token_url: c.token_url.clone(),
        }),
    };
    let mut r = SessionRecord::new(
        visitor,
        PreparedFor {
            brand_id: u64::try_from(brand_id).ok()?,
            channel_id: channel_id.to_owned(),
            environment,
        },
    );
    r.customer = Some(stored_customer(customer));
    Some(r)
}

/// The stored form of a customer identity.
pub(crate) fn stored_customer(c: &CustomerIdentity) -> StoredCustomer {
    StoredCustomer {
        id: c.id_on_external_platform.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
    }
}

/// The environment a stored session was prepared for.
pub(crate) fn environment(stored: &StoredEnvironment) -> Option<Environment> {
    Some(match stored {
        StoredEnvironment::Named(n) => Environment::Named(
            serde_json::from_value::<EnvironmentName>(serde_json::Value::String(n.clone())).ok()?,
        ),
        StoredEnvironment::Custom(c) => Environment::Custom(CustomEnvironment {
            chat_url: c.chat_url.clone(),
            socket_url: c.socket_url.clone(),
            token_url: c.token_url.clone(),
        }),
    })
}

/// The stored customer as the back end's identity.
pub(crate) fn customer(stored: &StoredCustomer) -> CustomerIdentity {
    CustomerIdentity {
        id_on_external_platform: stored.id.clone(),
        first_name: stored.first_name.clone(),
        last_name: stored.last_name.clone(),
        image: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_and_customers_survive_the_round_trip() {
        let c = CustomerIdentity {
            first_name: Some("Ada".into()),
            ..CustomerIdentity::new("ada-1")
        };
        for env in [
            Environment::Named(EnvironmentName::EU1),
            Environment::Custom(CustomEnvironment {
                chat_url: "http://127.0.0.1:1/chat".into(),
                socket_url: "ws://127.0.0.1:1/".into(),
                token_url: None,
            }),
        ] {
            let r = record(
                "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41",
                &c,
                &env,
                1000,
                "chat_single",
            )
            .unwrap();
            assert!(r.access_token.is_none(), "tokens are the OAuth actor's");
            assert_eq!(environment(&r.prepared_for.environment), Some(env));
            assert_eq!(customer(r.customer.as_ref().unwrap()), c);
            assert_eq!(
                r.visitor_id.to_string(),
                "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41"
            );
        }
    }
}
