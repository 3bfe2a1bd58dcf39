//! Configuration: what the daemon runs with, from layers that each override the one before:
//!
//! 1. built-in defaults (the `Default`s of [`file::FileConfig`]);
//! 2. the system file, `$CONFIGURATION_DIRECTORY/config.toml` under systemd
//!    (`ConfigurationDirectory=cxone-chatd`), else `/etc/cxone-chatd/config.toml`;
//! 3. the user file, `$XDG_CONFIG_HOME/cxone-chatd/config.toml` (else `~/.config/…`);
//! 4. the environment, `CXONE_CHATD__SECTION__KEY=value` (lists comma-separated);
//! 5. command-line flags (and `CXONE_CHATD_SOCKET`, which is the `--socket` flag).
//!
//! `--config FILE` replaces both files (2 and 3) by `FILE`, which must then exist. Missing
//! default files are fine. Unknown keys and values of the wrong type are errors naming the file
//! (or the environment) and the key. Secrets never come from a value in any layer: the file
//! names a path or a systemd credential, and [`load`] reads it.

mod env_lists;
pub mod file;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};

use crate::options::LogFormat;
use crate::options::{self, Options};
use crate::store::Secret;
pub use file::{FileConfig, LIVE_KEYS, LogFormatSetting};

/// The environment variables' prefix (followed by `__`).
pub const ENV_PREFIX: &str = "CXONE_CHATD";

/// Settings given on the command line; `None`/`false` means "not given".
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--config FILE`: the only file read.
    pub config: Option<PathBuf>,
    /// `--socket`.
    pub socket: Option<PathBuf>,
    /// `--state-dir`.
    pub state_dir: Option<PathBuf>,
    /// `--log-level`.
    pub log_level: Option<String>,
    /// `--log-format`.
    pub log_format: Option<String>,
    /// `--max-line-length`.
    pub max_line_length: Option<usize>,
    /// `--client-queue`.
    pub client_queue: Option<usize>,
    /// `--event-buffer`.
    pub event_buffer: Option<usize>,
    /// `--sandbox`.
    pub sandbox: bool,
}

/// The configuration as loaded: the merged file view, what was read, and the options.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The merged configuration (with the socket and state paths resolved).
    pub file: FileConfig,
    /// The files that were read, lowest precedence first.
    pub files: Vec<PathBuf>,
    /// Where the OAuth client secret came from, when one is configured.
    pub secret_source: Option<PathBuf>,
    /// What the daemon runs with.
    pub options: Options,
}

/// Why the configuration is unusable. Each message names the file or variable and the key,
/// and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config FILE` does not exist or cannot be read.
    #[error("cannot read the configuration file {path}: {error}; check the path given to --config")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },
    /// A file is not valid TOML.
    #[error("{path} is not valid TOML: {message}; fix the syntax at the place shown")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A key in a file is unknown or has the wrong type.
    #[error(
        "{path}: key `{key}`: {message}; see systemd/config.toml (or the README) for the keys and their types"
    )]
    BadKey {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// An environment variable with our prefix names no key.
    #[error(
        "environment variable {var}: there is no key `{key}`; unset it, or use one of: {known}"
    )]
    UnknownEnv {
        /// The variable.
        var: String,
        /// The key it stands for.
        key: String,
        /// Every key, comma-separated.
        known: String,
    },
    /// The merged layers (environment and flags included) do not form a valid configuration.
    #[error(
        "invalid configuration: {message}; environment variables are {ENV_PREFIX}__SECTION__KEY (e.g. {ENV_PREFIX}__LOG__LEVEL=debug)"
    )]
    Merge {
        /// What the config crate said (it names the key and where the value came from).
        message: String,
    },
    /// A value is of the right type but not acceptable.
    #[error("key `{key}`: {message}")]
    Invalid {
        /// The dotted key.
        key: &'static str,
        /// What is wrong and what to do.
        message: String,
    },
    /// A secret file named by the configuration cannot be read.
    #[error(
        "key `{key}`: cannot read the secret file {path}: {error}; create it (mode 0600, the secret on one line) or remove the key"
    )]
    SecretFile {
        /// The key that names it.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },
}

/// The default system file.
pub fn system_file(env: &HashMap<String, String>) -> PathBuf {
    match env.get("CONFIGURATION_DIRECTORY").filter(|d| !d.is_empty()) {
        // systemd may list several directories separated by colons; ours is the first.
        Some(dirs) => PathBuf::from(dirs.split(':').next().unwrap_or(dirs)).join("config.toml"),
        None => PathBuf::from("/etc/cxone-chatd/config.toml"),
    }
}

/// The default user file, when there is a home or an XDG config directory.
pub fn user_file(env: &HashMap<String, String>) -> Option<PathBuf> {
    let base = match env.get("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env.get("HOME").filter(|d| !d.is_empty())?).join(".config"),
    };
    Some(base.join("cxone-chatd").join("config.toml"))
}

/// Loads every layer for `flags`, with `env` standing for the process environment.
pub fn load(flags: &Flags, env: &HashMap<String, String>) -> Result<Loaded, ConfigError> {
    let candidates: Vec<(PathBuf, bool)> = match &flags.config {
        Some(p) => vec![(p.clone(), true)],
        None => std::iter::once(system_file(env))
            .chain(user_file(env))
            .map(|p| (p, false))
            .collect(),
    };
    let mut builder = Config::builder();
    let mut files = Vec::new();
    for (path, required) in candidates {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(ConfigError::ReadFile { path, error }),
        };
        check_file(&path, &text)?;
        builder = builder.add_source(File::from_str(&text, FileFormat::Toml));
        files.push(path);
    }
    let vars: config::Map<String, String> = env
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}__")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    check_env(&vars)?;
    let (lists, vars) = env_lists::split(vars);
    builder = builder
        .add_source(
            Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                .ignore_empty(true)
                .source(Some(vars)),
        )
        .add_source(lists);
    builder = overrides(builder, flags).map_err(merge_error)?;
    let mut file: FileConfig = builder
        .build()
        .and_then(Config::try_deserialize)
        .map_err(merge_error)?;
    let socket_mode = parse_mode(&file.socket.mode)?;
    validate(&file)?;
    let socket = file
        .socket
        .path
        .clone()
        .unwrap_or_else(|| options::default_socket_in(env));
    let state_dir = file
        .state
        .dir
        .clone()
        .unwrap_or_else(|| options::default_state_dir_in(env));
    file.socket.path = Some(socket.clone());
    file.state.dir = Some(state_dir.clone());
    let (secret, secret_source) = match load_secret(&file.oauth, env)? {
        Some((s, p)) => (Some(s), Some(p)),
        None => (None, None),
    };
    let mut allowed_gids = file.socket.allowed_gids.clone();
    allowed_gids.extend(resolve_groups(&file.socket.allowed_groups)?);
    let network = load_network(&file.network, env)?;
    let options = options_from(
        &file,
        socket,
        state_dir,
        socket_mode,
        allowed_gids,
        secret,
        network,
    );
    Ok(Loaded {
        file,
        files,
        secret_source,
        options,
    })
}

/// The options `file` gives, with the values resolved outside the schema.
pub(crate) fn options_from(
    file: &FileConfig,
    socket: PathBuf,
    state_dir: PathBuf,
    socket_mode: u32,
    allowed_gids: Vec<u32>,
    oauth_client_secret: Option<Secret>,
    network: crate::upstream::Network,
) -> Options {
    let l = &file.limits;
    Options {
        socket,
        socket_mode,
        allowed_uids: file.socket.allowed_uids.clone(),
        allowed_gids,
        state_dir,
        max_line_length: l.max_line_length,
        max_batch_len: l.max_batch_len,
        event_buffer: l.event_buffer,
        client_queue: l.client_queue,
        max_pending: l.max_pending,
        max_poll_timeout_ms: l.max_poll_timeout_ms,
        max_clients: l.max_clients,
        max_clients_per_user: l.max_clients_per_user,
        idle_timeout: Duration::from_millis(l.idle_timeout_ms),
        sandbox: file.sandbox.enabled,
        log_level: file.log.level.clone(),
        log_format: match file.log.format {
            LogFormatSetting::Text => LogFormat::Text,
            LogFormatSetting::Json => LogFormat::Json,
        },
        drain_timeout: Duration::from_millis(file.shutdown.drain_timeout_ms),
        shutdown_grace: Duration::from_millis(file.shutdown.grace_ms),
        ping_timeout: Duration::from_millis(file.health.ping_timeout_ms),
        disconnect_in_background: file.lifecycle.disconnect_in_background,
        create_thread_on_connect: file.lifecycle.create_thread_on_connect,
        network,
        oauth_client_secret,
    }
}

/// `[network]` as the daemon runs with it: the extra roots read, the proxy resolved.
fn load_network(
    n: &file::NetworkSection,
    env: &HashMap<String, String>,
) -> Result<crate::upstream::Network, ConfigError> {
    let extra_roots = match &n.ca_file {
        Some(path) => {
            crate::upstream::trust::read_roots(path).map_err(|e| ConfigError::Invalid {
                key: "network.ca_file",
                message: e.to_string(),
            })?
        }
        None => Vec::new(),
    };
    Ok(crate::upstream::Network {
        extra_roots: std::sync::Arc::new(extra_roots),
        proxy: std::sync::Arc::new(load_proxy(n, env)?),
        connect_timeout: Duration::from_millis(n.connect_timeout_ms),
        request_timeout: Duration::from_millis(n.request_timeout_ms),
        heartbeat_interval: Duration::from_millis(n.heartbeat_interval_ms),
        tcp_keepalive: (n.tcp_keepalive_s > 0).then(|| Duration::from_secs(n.tcp_keepalive_s)),
    })
}

/// The proxy rules: `network.proxy` with the credentials of `network.proxy_credentials_file`,
/// or the environment's.
fn load_proxy(
    n: &file::NetworkSection,
    env: &HashMap<String, String>,
) -> Result<crate::upstream::proxy::ProxyRules, ConfigError> {
    use crate::upstream::proxy::{Proxy, ProxyRules};
    let invalid = |key: &'static str, message: String| ConfigError::Invalid { key, message };
    let configured = match &n.proxy {
        Some(p) => {
            let mut proxy = Proxy::parse(p).map_err(|e| invalid("network.proxy", e.to_string()))?;
            if proxy.credentials.is_some() {
                return Err(invalid(
                    "network.proxy",
                    "holds credentials; put user:password in network.proxy_credentials_file".into(),
                ));
            }
            if let Some(path) = &n.proxy_credentials_file {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    invalid(
                        "network.proxy_credentials_file",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let line = text.lines().next().unwrap_or_default();
                let (user, password) = line.split_once(':').ok_or_else(|| {
                    invalid(
                        "network.proxy_credentials_file",
                        format!(
                            "{} must hold user:password on its first line",
                            path.display()
                        ),
                    )
                })?;
                proxy.credentials = Some((user.to_owned(), password.to_owned()));
            }
            Some(proxy)
        }
        None => None,
    };
    ProxyRules::resolve(configured, env).map_err(|e| invalid("network.proxy", e.to_string()))
}

/// The process environment as a map (names and values that are not UTF-8 are left out).
pub fn process_env() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Checks one file on its own, so that an error names the file and the exact key.
fn check_file(path: &Path, text: &str) -> Result<(), ConfigError> {
    file::check(text).map(drop).map_err(|e| match e {
        file::SchemaError::Syntax(message) => ConfigError::Syntax {
            path: path.to_owned(),
            message,
        },
        file::SchemaError::BadKey { key, message } => ConfigError::BadKey {
            path: path.to_owned(),
            key,
            message,
        },
    })
}

/// Every dotted key of the schema.
pub fn known_keys() -> Vec<String> {
    let mut full = FileConfig::default();
    full.socket.path = Some(PathBuf::new());
    full.state.dir = Some(PathBuf::new());
    full.oauth.client_secret_file = Some(PathBuf::new());
    full.oauth.client_secret_credential = Some(String::new());
    full.network.ca_file = Some(PathBuf::new());
    full.network.proxy = Some(String::new());
    full.network.proxy_credentials_file = Some(PathBuf::new());
    let table = toml::Table::try_from(&full).expect("the configuration serializes");
    let mut keys = Vec::new();
    for (section, value) in &table {
        if let toml::Value::Table(t) = value {
            keys.extend(t.keys().map(|k| format!("{section}.{k}")));
        }
    }
    keys
}

/// Names the variable when one of ours stands for no key (the merged error could not).
fn check_env(vars: &config::Map<String, String>) -> Result<(), ConfigError> {
    let known = known_keys();
    for var in vars.keys() {
        let key = env_lists::key_of(var);
        if !known.contains(&key) {
            return Err(ConfigError::UnknownEnv {
                var: var.clone(),
                key,
                known: known.join(", "),
            });
        }
    }
    Ok(())
}

fn overrides(
    mut b: config::ConfigBuilder<config::builder::DefaultState>,
    flags: &Flags,
) -> Result<config::ConfigBuilder<config::builder::DefaultState>, config::ConfigError> {
    let path = |p: &PathBuf| p.to_string_lossy().into_owned();
    if let Some(p) = &flags.socket {
        b = b.set_override("socket.path", path(p))?;
    }
    if let Some(p) = &flags.state_dir {
        b = b.set_override("state.dir", path(p))?;
    }
    if let Some(v) = &flags.log_level {
        b = b.set_override("log.level", v.as_str())?;
    }
    if let Some(v) = &flags.log_format {
        b = b.set_override("log.format", v.as_str())?;
    }
    if let Some(n) = flags.max_line_length {
        b = b.set_override("limits.max_line_length", n as u64)?;
    }
    if let Some(n) = flags.client_queue {
        b = b.set_override("limits.client_queue", n as u64)?;
    }
    if let Some(n) = flags.event_buffer {
        b = b.set_override("limits.event_buffer", n as u64)?;
    }
    if flags.sandbox {
        b = b.set_override("sandbox.enabled", true)?;
    }
    Ok(b)
}

fn merge_error(e: config::ConfigError) -> ConfigError {
    ConfigError::Merge {
        message: e.to_string(),
    }
}

/// Parses `"0600"`-style permission bits; the socket must stay closed to other users.
pub fn parse_mode(text: &str) -> Result<u32, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        key: "socket.mode",
        message,
    };
    let mode = u32::from_str_radix(text.trim_start_matches("0o"), 8).map_err(|_| {
        invalid(format!(
            "{text:?} is not an octal mode; write \"0600\" (owner only) or \"0660\" (owner and group)"
        ))
    })?;
    if mode & !0o777 != 0 || mode & 0o007 != 0 || mode & 0o600 != 0o600 {
        return Err(invalid(format!(
            "{text:?} must give the owner read and write and other users nothing; use \"0600\" or \"0660\""
        )));
    }
    Ok(mode)
}

fn validate(file: &FileConfig) -> Result<(), ConfigError> {
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(&file.log.level) {
        return Err(ConfigError::Invalid {
            key: "log.level",
            message: format!(
                "{:?} is not a log filter ({e}); use a level such as \"info\" or \"debug\", optionally with module=level pairs",
                file.log.level
            ),
        });
    }
    let l = &file.limits;
    for (key, value) in [
        ("limits.max_line_length", l.max_line_length as u64),
        ("limits.max_batch_len", l.max_batch_len as u64),
        ("limits.event_buffer", l.event_buffer as u64),
        ("limits.client_queue", l.client_queue as u64),
        ("limits.max_pending", u64::from(l.max_pending)),
        ("limits.max_clients", l.max_clients as u64),
        ("limits.max_clients_per_user", l.max_clients_per_user as u64),
        ("limits.idle_timeout_ms", l.idle_timeout_ms),
        ("health.ping_timeout_ms", file.health.ping_timeout_ms),
        (
            "network.connect_timeout_ms",
            file.network.connect_timeout_ms,
        ),
        (
            "network.request_timeout_ms",
            file.network.request_timeout_ms,
        ),
    ] {
        if value == 0 {
            return Err(ConfigError::Invalid {
                key,
                message: "must be at least 1".into(),
            });
        }
    }
    // A heartbeat every few milliseconds would be a load on the back end, not a keep-alive.
    if file.network.heartbeat_interval_ms < 1_000 {
        return Err(ConfigError::Invalid {
            key: "network.heartbeat_interval_ms",
            message: "must be at least 1000 (one second)".into(),
        });
    }
    Ok(())
}

/// The gids of the groups named in `socket.allowed_groups`.
fn resolve_groups(names: &[String]) -> Result<Vec<u32>, ConfigError> {
    names
        .iter()
        .map(|name| match nix::unistd::Group::from_name(name) {
            Ok(Some(g)) => Ok(g.gid.as_raw()),
            Ok(None) => Err(ConfigError::Invalid {
                key: "socket.allowed_groups",
                message: format!(
                    "there is no group {name:?}; create it (systemd-sysusers, groupadd) or remove it from the list"
                ),
            }),
            Err(e) => Err(ConfigError::Invalid {
                key: "socket.allowed_groups",
                message: format!("cannot look up the group {name:?}: {e}"),
            }),
        })
        .collect()
}

/// Reads the OAuth client secret from the file or credential the configuration names.
fn load_secret(
    o: &file::OauthSection,
    env: &HashMap<String, String>,
) -> Result<Option<(Secret, PathBuf)>, ConfigError> {
    let (key, path) = match (&o.client_secret_file, &o.client_secret_credential) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::Invalid {
                key: "oauth.client_secret_file",
                message: "set either oauth.client_secret_file or oauth.client_secret_credential, not both".into(),
            });
        }
        (None, None) => return Ok(None),
        (Some(p), None) => ("oauth.client_secret_file", p.clone()),
        (None, Some(name)) => {
            if name.is_empty() || name.contains('/') {
                return Err(ConfigError::Invalid {
                    key: "oauth.client_secret_credential",
                    message: format!(
                        "{name:?} is not a credential name (no slashes); use the NAME of LoadCredential=NAME:PATH"
                    ),
                });
            }
            let Some(dir) = env.get("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty()) else {
                return Err(ConfigError::Invalid {
                    key: "oauth.client_secret_credential",
                    message: "$CREDENTIALS_DIRECTORY is not set: add LoadCredential=NAME:PATH to the unit, or use oauth.client_secret_file instead".into(),
                });
            };
            ("oauth.client_secret_credential", Path::new(dir).join(name))
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::SecretFile {
        key,
        path: path.clone(),
        error,
    })?;
    let secret = text.trim_end_matches(['\r', '\n']);
    if secret.is_empty() {
        return Err(ConfigError::SecretFile {
            key,
            path,
            error: std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is empty"),
        });
    }
    Ok(Some((Secret::new(secret), path)))
}

/// The effective configuration as TOML, secrets masked, for `check-config`.
pub fn render(loaded: &Loaded) -> String {
    let mut out = String::from("# cxone-chatd: effective configuration\n");
    if loaded.files.is_empty() {
        out.push_str("# files read: none (built-in defaults, environment and flags only)\n");
    }
    for f in &loaded.files {
        out.push_str(&format!("# file read: {}\n", f.display()));
    }
    // The proxies in force may come from the environment, which the table does not show.
    let rules = &loaded.options.network.proxy;
    for (what, proxy) in [
        ("https and wss", &rules.secure),
        ("http and ws", &rules.plain),
    ] {
        if let Some(p) = proxy {
            out.push_str(&format!("# proxy for {what}: {}\n", p.masked()));
        }
    }
    if !rules.no_proxy.is_empty() {
        out.push_str(&format!("# no proxy for: {}\n", rules.no_proxy.join(", ")));
    }
    let mut table = toml::Table::try_from(&loaded.file).expect("the configuration serializes");
    if let (Some(secret), Some(source)) =
        (&loaded.options.oauth_client_secret, &loaded.secret_source)
        && let Some(toml::Value::Table(oauth)) = table.get_mut("oauth")
    {
        oauth.insert(
            "client_secret".into(),
            format!(
                "{} ({} bytes read from {})",
                crate::store::REDACTED,
                secret.expose().len(),
                source.display()
            )
            .into(),
        );
    }
    out.push_str(&toml::to_string_pretty(&table).expect("TOML renders"));
    out
}

/// Keys whose values differ between two loads, as dotted names.
pub fn changed_keys(old: &FileConfig, new: &FileConfig) -> Vec<String> {
    let (a, b) = (
        toml::Table::try_from(old).expect("serializes"),
        toml::Table::try_from(new).expect("serializes"),
    );
    let mut changed = Vec::new();
    diff("", &a, &b, &mut changed);
    changed
}

/// `running` with the values `new` has for `keys` (dotted names, as [`changed_keys`] gives):
/// the configuration in force after a reload that applied only those keys.
pub fn with_keys(running: &FileConfig, new: &FileConfig, keys: &[String]) -> FileConfig {
    let mut table = toml::Table::try_from(running).expect("serializes");
    let from = toml::Table::try_from(new).expect("serializes");
    for key in keys {
        let (section, name) = key.split_once('.').unwrap_or(("", key));
        let value = from
            .get(section)
            .and_then(toml::Value::as_table)
            .and_then(|t| t.get(name));
        if let Some(toml::Value::Table(t)) = table.get_mut(section) {
            match value {
                Some(v) => t.insert(name.to_owned(), v.clone()),
                None => t.remove(name),
            };
        }
    }
    table
        .try_into()
        .expect("a mix of two valid configurations is valid")
}

fn diff(prefix: &str, a: &toml::Table, b: &toml::Table, out: &mut Vec<String>) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let name = format!("{prefix}{k}");
        match (a.get(k), b.get(k)) {
            (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
                diff(&format!("{name}."), x, y, out)
            }
            (x, y) if x != y => out.push(name),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn modes_are_octal_and_never_open_to_other_users() {
        assert_eq!(parse_mode("0600").unwrap(), 0o600);
        assert_eq!(parse_mode("0660").unwrap(), 0o660);
        for bad in ["0666", "0644", "0400", "600x", "1600"] {
            assert!(parse_mode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_system_file_follows_configuration_directory() {
        assert_eq!(
            system_file(&env(&[])),
            PathBuf::from("/etc/cxone-chatd/config.toml")
        );
        assert_eq!(
            system_file(&env(&[("CONFIGURATION_DIRECTORY", "/x/y:/z")])),
            PathBuf::from("/x/y/config.toml")
        );
        assert_eq!(
            user_file(&env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.config/cxone-chatd/config.toml"))
        );
        assert_eq!(user_file(&env(&[])), None);
    }

    #[test]
    fn groups_are_resolved_by_name_and_unknown_ones_are_errors() {
        assert_eq!(resolve_groups(&["root".into()]).unwrap(), vec![0]);
        let e = resolve_groups(&["no-such-group-cxone".into()]).unwrap_err();
        assert!(
            e.to_string().contains("socket.allowed_groups")
                && e.to_string().contains("no-such-group-cxone"),
            "{e}"
        );
    }

    #[test]
    fn changed_keys_are_named_with_dots() {
        let a = FileConfig::default();
        let mut b = a.clone();
        b.log.level = "debug".into();
        b.limits.event_buffer = 5;
        assert_eq!(
            changed_keys(&a, &b),
            vec!["limits.event_buffer", "log.level"]
        );
    }

    #[test]
    fn the_baseline_after_a_reload_keeps_the_running_value_of_keys_not_applied() {
        let running = FileConfig::default();
        let mut new = running.clone();
        new.log.level = "debug".into();
        new.limits.event_buffer = running.limits.event_buffer + 5;
        let applied = with_keys(&running, &new, &["log.level".to_owned()]);
        assert_eq!(applied.log.level, "debug");
        assert_eq!(applied.limits.event_buffer, running.limits.event_buffer);
        // Restoring the running value is then no change at all.
        let mut restored = running.clone();
        restored.log.level = "debug".into();
        assert!(changed_keys(&applied, &restored).is_empty());
    }

    #[test]
    fn every_live_key_exists() {
        let known = known_keys();
        for key in LIVE_KEYS {
            assert!(known.iter().any(|k| k == key), "{key}");
        }
    }
}
