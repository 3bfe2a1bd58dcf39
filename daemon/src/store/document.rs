//! Versioned JSON documents, the old layout's files (read once, to import them; see
//! `legacy.rs`): every state file is one JSON object with a top-level `"version"` beside the
//! record's own fields. Reading checks the version before the fields, so a file from
//! a newer daemon is refused (and left alone) rather than misread; a file that is not what this
//! build wrote is moved aside and reported, never silently dropped or overwritten.

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::StoreError;
use super::files;

/// Only the version, read before anything else (the other fields are ignored here).
#[derive(Deserialize)]
struct Probe {
    version: u64,
}

/// Reads the document at `path`: `None` if there is none. `supported` is the one version this
/// build reads (a second one would get a migration here).
pub(crate) fn read<T: DeserializeOwned>(
    path: &Path,
    supported: u32,
) -> Result<Option<T>, StoreError> {
    let Some(bytes) = files::read_if_exists(path).map_err(|source| StoreError::Read {
        path: path.to_owned(),
        source,
    })?
    else {
        return Ok(None);
    };
    let probe = match serde_json::from_slice::<Probe>(&bytes) {
        Ok(p) => p,
        Err(e) => return Err(quarantine(path, describe(&e))),
    };
    if probe.version > u64::from(supported) {
        return Err(StoreError::UnsupportedVersion {
            path: path.to_owned(),
            found: probe.version,
            supported,
        });
    }
    if probe.version < u64::from(supported) {
        // Version 1 is the first; anything lower was never written by a release.
        return Err(quarantine(
            path,
            format!("schema version {} does not exist", probe.version),
        ));
    }
    match serde_json::from_slice::<T>(&bytes) {
        Ok(record) => Ok(Some(record)),
        Err(e) => Err(quarantine(path, describe(&e))),
    }
}

/// Moves a damaged file aside and returns the error that reports it.
pub(crate) fn quarantine(path: &Path, reason: String) -> StoreError {
    match files::move_aside(path) {
        Ok(moved_to) => StoreError::Corrupt {
            path: path.to_owned(),
            moved_to,
            reason,
        },
        Err(source) => StoreError::MoveAside {
            path: path.to_owned(),
            reason,
            source,
        },
    }
}

/// What is wrong with a document, without quoting it: serde_json's own messages may contain the
/// offending value (`invalid type: string "eyJ…"`), and that value may be a token.
pub(crate) fn describe(e: &serde_json::Error) -> String {
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Syntax => format!("not valid JSON at {at}"),
        Category::Eof => format!("cut short at {at}"),
        // Field names are ours, never secrets.
        Category::Data if e.to_string().starts_with("missing field") => e.to_string(),
        Category::Data => format!("a value has the wrong type or is out of range at {at}"),
        Category::Io => format!("unreadable at {at}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
    struct Rec {
        name: String,
        n: u32,
    }

    #[test]
    fn a_document_of_the_old_layout_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        let rec = Rec {
            name: "x".into(),
            n: 3,
        };
        std::fs::write(&path, r#"{"version":1,"name":"x","n":3}"#).unwrap();
        assert_eq!(read::<Rec>(&path, 1).unwrap(), Some(rec));
        assert_eq!(read::<Rec>(&dir.path().join("none.json"), 1).unwrap(), None);
    }

    #[test]
    fn reasons_never_quote_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        std::fs::write(&path, r#"{"version":1,"name":"x","n":"TOPSECRET"}"#).unwrap();
        let err = read::<Rec>(&path, 1).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(!text.contains("TOPSECRET"), "{text}");
        assert!(text.contains("wrong type"), "{text}");

        std::fs::write(&path, r#"{"version":1,"name":"x"}"#).unwrap();
        let text = read::<Rec>(&path, 1).unwrap_err().to_string();
        assert!(text.contains("missing field `n`"), "{text}");
    }

    #[test]
    fn version_zero_and_a_missing_version_are_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        for text in [r#"{"version":0,"name":"x","n":1}"#, r#"{"name":"x","n":1}"#] {
            std::fs::write(&path, text).unwrap();
            let err = read::<Rec>(&path, 1).unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
            assert!(!path.exists());
        }
    }
}
