//! The environment's list keys: `CXONE_CHATD__SOCKET__ALLOWED_GIDS=1001,1002`.
//!
//! `config::Environment` only splits a value into a list when it parses every value
//! (`try_parsing`), which also turns scalars such as `"0600"` into numbers and a one-item list
//! such as `1001` into a number instead of a list. So the list keys (every key whose schema type
//! is a list) are taken out of the environment layer and given as this source instead: each
//! value split on commas, items trimmed, an empty value meaning unset (as for every variable).

use config::{Map, Source, Value, ValueKind};

use super::{ENV_PREFIX, FileConfig};

/// The dotted keys whose schema type is a list, e.g. `socket.allowed_gids`.
pub(super) fn list_keys() -> Vec<String> {
    let table = toml::Table::try_from(FileConfig::default()).expect("the configuration serializes");
    let mut keys = Vec::new();
    for (section, value) in &table {
        if let toml::Value::Table(t) = value {
            keys.extend(
                t.iter()
                    .filter(|(_, v)| v.is_array())
                    .map(|(k, _)| format!("{section}.{k}")),
            );
        }
    }
    keys
}

/// The dotted key `CXONE_CHATD__SECTION__KEY` stands for (the caller checked the prefix).
pub(super) fn key_of(var: &str) -> String {
    var[ENV_PREFIX.len() + 2..]
        .to_lowercase()
        .replace("__", ".")
}

/// The list variables among `vars`, as a configuration source; the rest is returned for the
/// ordinary environment layer.
pub(super) fn split(vars: Map<String, String>) -> (EnvLists, Map<String, String>) {
    let lists = list_keys();
    let mut found = Map::new();
    let mut rest = Map::new();
    for (var, value) in vars {
        let key = key_of(&var);
        if !lists.contains(&key) {
            rest.insert(var, value);
            continue;
        }
        if value.trim().is_empty() {
            continue;
        }
        let origin = format!("environment variable {var}");
        let items = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::new(Some(&origin), ValueKind::String(s.to_owned())))
            .collect::<Vec<_>>();
        found.insert(key, Value::new(Some(&origin), ValueKind::Array(items)));
    }
    (EnvLists(found), rest)
}

/// The list keys set in the environment, each a list of strings (the schema converts them).
#[derive(Debug, Clone)]
pub(super) struct EnvLists(Map<String, Value>);

impl Source for EnvLists {
    fn clone_into_box(&self) -> Box<dyn Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<Map<String, Value>, config::ConfigError> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_key_of_the_schema_is_known() {
        let keys = list_keys();
        for k in [
            "socket.allowed_uids",
            "socket.allowed_gids",
            "socket.allowed_groups",
        ] {
            assert!(keys.contains(&k.to_owned()), "{k} missing from {keys:?}");
        }
        assert!(!keys.contains(&"socket.mode".to_owned()));
    }
}
