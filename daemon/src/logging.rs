//! Logging: tracing to the systemd journal ([`crate::journal`]) when stderr is the journal
//! (`$JOURNAL_STREAM`), else human-readable or JSON lines on stderr (`log.format`), with a
//! filter (`log.level`) that `daemon.setLogLevel` and a configuration reload can change while
//! running. Tokens and message text are never logged at info level or above; events carry ids
//! only.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

/// Changes the log filter at run time.
#[derive(Clone)]
pub struct LogControl {
    handle: Option<reload::Handle<EnvFilter, Registry>>,
}

impl std::fmt::Debug for LogControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogControl")
            .field("installed", &self.handle.is_some())
            .finish()
    }
}

/// Why a level could not be set.
#[derive(Debug, thiserror::Error)]
pub enum SetLevelError {
    /// The filter text is invalid (bad target name).
    #[error("invalid log filter {filter:?}: {error}")]
    InvalidFilter {
        /// The filter.
        filter: String,
        /// What the parser said.
        error: String,
    },
    /// Logging was set up by someone else (tests), so there is nothing to change.
    #[error("the log filter cannot be changed in this process")]
    NotInstalled,
}

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The systemd journal, natively (levels become priorities, fields stay fields).
    Journal,
    /// Human-readable lines on stderr.
    Text,
    /// One JSON object per line on stderr.
    Json,
}

/// Whether stderr is the journal: `$JOURNAL_STREAM` is `DEVICE:INODE` of the stream systemd
/// connected, and it only counts when stderr is still that stream (systemd.exec(5)), so that a
/// child with redirected stderr does not log to the journal by mistake.
pub fn stderr_is_journal(journal_stream: Option<&str>) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Some((dev, ino)) = journal_stream.and_then(|s| s.split_once(':')) else {
        return false;
    };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else {
        return false;
    };
    let stderr = std::io::stderr();
    let Ok(fd) = stderr.as_fd().try_clone_to_owned() else {
        return false;
    };
    match std::fs::File::from(fd).metadata() {
        Ok(m) => m.dev() == dev && m.ino() == ino,
        Err(_) => false,
    }
}

impl LogControl {
    /// Installs the global subscriber with `level` (a tracing filter): to the journal when
    /// stderr is the journal, else `format` on stderr. Returns where logs go.
    pub fn install(level: &str, format: crate::options::LogFormat) -> (Self, Destination) {
        let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
        let (layer, handle) = reload::Layer::new(filter);
        let journal_stream = std::env::var("JOURNAL_STREAM").ok();
        let journald = stderr_is_journal(journal_stream.as_deref())
            .then(|| {
                let socket = std::path::Path::new(crate::journal::JOURNAL_SOCKET);
                crate::journal::JournalLayer::connect(socket, "cxone-chatd").ok()
            })
            .flatten()
            .map(crate::redact::Redacting);
        let destination = match (&journald, format) {
            (Some(_), _) => Destination::Journal,
            (None, crate::options::LogFormat::Text) => Destination::Text,
            (None, crate::options::LogFormat::Json) => Destination::Json,
        };
        use std::io::IsTerminal;
        let text = (destination == Destination::Text).then(|| {
            tracing_subscriber::fmt::layer()
                .with_writer(crate::redact::RedactingStderr)
                .with_ansi(std::io::stderr().is_terminal())
                .with_target(true)
        });
        let json = (destination == Destination::Json).then(|| {
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(crate::redact::RedactingStderr)
                .with_target(true)
        });
        let control = match tracing_subscriber::registry()
            .with(layer)
            .with(journald)
            .with(text)
            .with(json)
            .try_init()
        {
            Ok(()) => Self {
                handle: Some(handle),
            },
            Err(_) => Self { handle: None },
        };
        (control, destination)
    }

    /// Replaces the whole filter (a configuration reload).
    pub fn set_filter(&self, filter: &str) -> Result<(), SetLevelError> {
        let handle = self.handle.as_ref().ok_or(SetLevelError::NotInstalled)?;
        let parsed = EnvFilter::try_new(filter).map_err(|e| SetLevelError::InvalidFilter {
            filter: filter.to_owned(),
            error: e.to_string(),
        })?;
        handle
            .reload(parsed)
            .map_err(|_| SetLevelError::NotInstalled)
    }

    /// Sets `level` for everything, or for `target` only (keeping the rest). Returns the
    /// filter now in force.
    pub fn set(&self, level: &str, target: Option<&str>) -> Result<String, SetLevelError> {
        let handle = self.handle.as_ref().ok_or(SetLevelError::NotInstalled)?;
        let current = handle
            .with_current(|f| f.to_string())
            .map_err(|_| SetLevelError::NotInstalled)?;
        let text = match target {
            None => level.to_owned(),
            Some(t) => {
                let kept: Vec<&str> = current
                    .split(',')
                    .filter(|d| !d.starts_with(&format!("{t}=")))
                    .collect();
                let mut parts: Vec<String> = kept
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                parts.push(format!("{t}={level}"));
                parts.join(",")
            }
        };
        let filter = EnvFilter::try_new(&text).map_err(|e| SetLevelError::InvalidFilter {
            filter: text.clone(),
            error: e.to_string(),
        })?;
        handle
            .reload(filter)
            .map_err(|_| SetLevelError::NotInstalled)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;

    use super::stderr_is_journal;

    #[test]
    fn the_journal_is_used_only_when_journal_stream_is_stderr_itself() {
        let fd = std::io::stderr().as_fd().try_clone_to_owned().unwrap();
        let m = std::fs::File::from(fd).metadata().unwrap();
        let own = format!("{}:{}", m.dev(), m.ino());
        assert!(stderr_is_journal(Some(&own)));
        assert!(!stderr_is_journal(Some(&format!(
            "{}:{}",
            m.dev(),
            m.ino() + 1
        ))));
        assert!(!stderr_is_journal(Some("garbage")));
        assert!(!stderr_is_journal(None));
    }
}
