//! Logging: tracing to stderr with a filter that `daemon.setLogLevel` can change while running.
//! Tokens and message text are never logged at info level or above; events carry ids only.

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

impl LogControl {
    /// Installs the global subscriber: level from `RUST_LOG`, else `info`.
    pub fn install() -> Self {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let (layer, handle) = reload::Layer::new(filter);
        use std::io::IsTerminal;
        let fmt = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(true);
        match tracing_subscriber::registry()
            .with(layer)
            .with(fmt)
            .try_init()
        {
            Ok(()) => Self {
                handle: Some(handle),
            },
            Err(_) => Self { handle: None },
        }
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
