//! The `cxone-chatd` binary: argument parsing and process exit codes only.

use std::path::PathBuf;
use std::process::ExitCode;

mod docs;

use clap::{CommandFactory, Parser, Subcommand};
use cxone_chatd::config::{self, Flags};
use cxone_chatd::logging::LogControl;

/// The exit code for an unusable configuration (sysexits' EX_CONFIG).
const EXIT_CONFIG: u8 = 78;

/// Headless CXone chat daemon driven over a local JSON-RPC socket.
///
/// Settings come from built-in defaults, /etc/cxone-chatd/config.toml,
/// $XDG_CONFIG_HOME/cxone-chatd/config.toml, CXONE_CHATD__SECTION__KEY environment variables
/// and these flags, each overriding the one before. Secrets are never flags: name a file or a
/// systemd credential in the configuration.
#[derive(Debug, Parser)]
#[command(name = "cxone-chatd", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Read only this configuration file (instead of the system and user files).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Socket path [default: $XDG_RUNTIME_DIR/cxone-chatd/rpc.sock, or /run/cxone-chatd/rpc.sock].
    #[arg(long, global = true, env = "CXONE_CHATD_SOCKET")]
    socket: Option<PathBuf>,
    /// State directory [default: $STATE_DIRECTORY, $XDG_STATE_HOME/cxone-chatd or ~/.local/state/cxone-chatd].
    #[arg(long, global = true)]
    state_dir: Option<PathBuf>,
    /// Log filter: a level (error, warn, info, debug, trace) or module=level pairs.
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Log format on stderr when stderr is not the journal: text or json.
    #[arg(long, global = true)]
    log_format: Option<String>,
    /// Longest accepted request line, in bytes.
    #[arg(long, global = true)]
    max_line_length: Option<usize>,
    /// Messages queued per client before its events are dropped (`events.lagged`).
    #[arg(long, global = true)]
    client_queue: Option<usize>,
    /// Events kept for replay to subscribers that reconnect.
    #[arg(long, global = true)]
    event_buffer: Option<usize>,
    /// Start an embedded CXone emulator with a simulated agent and make it the default back
    /// end: try the whole API with no CXone account.
    #[arg(long, global = true)]
    sandbox: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon (the default).
    Run,
    /// Check the configuration and print it as the daemon would run with it (secrets masked);
    /// exits 78 naming the file, the key and what to do when it is not usable.
    CheckConfig {
        /// Print nothing when the configuration is usable (the units' ExecStartPre=, so that
        /// the journal gets only problems).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Decode one CXone frame or REST body as the daemon would and print it as JSON
    /// (`{"kind": …, "value": …}`); exits 1 with the reason when it cannot.
    Decode {
        /// The file to decode, or `-` for standard input.
        file: String,
        /// Print on one line instead of indented.
        #[arg(long)]
        compact: bool,
    },
}

impl Cli {
    fn flags(&self) -> Flags {
        Flags {
            config: self.config.clone(),
            socket: self.socket.clone(),
            state_dir: self.state_dir.clone(),
            log_level: self.log_level.clone(),
            log_format: self.log_format.clone(),
            max_line_length: self.max_line_length,
            client_queue: self.client_queue,
            event_buffer: self.event_buffer,
            sandbox: self.sandbox,
        }
    }
}

fn main() -> ExitCode {
    if let Some(dir) = docs::requested() {
        return match docs::generate(Cli::command(), "8", &dir) {
            Ok(files) => {
                for f in files {
                    println!("{}", f.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cxone-chatd: {e}");
                ExitCode::from(1)
            }
        };
    }
    let cli = Cli::parse();
    let flags = cli.flags();
    match cli.command {
        Some(Command::Decode { file, compact }) => match cxone_chatd::decode_cmd::run(&file) {
            Ok(doc) => {
                let text = if compact {
                    doc.to_string()
                } else {
                    serde_json::to_string_pretty(&doc).expect("JSON")
                };
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cxone-chatd: {e}");
                ExitCode::from(1)
            }
        },
        Some(Command::CheckConfig { quiet }) => {
            match config::load(&flags, &config::process_env()) {
                Ok(loaded) => {
                    if !quiet {
                        print!("{}", config::render(&loaded));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("cxone-chatd: check-config: {e}");
                    ExitCode::from(EXIT_CONFIG)
                }
            }
        }
        Some(Command::Run) | None => {
            let loaded = match config::load(&flags, &config::process_env()) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("cxone-chatd: {e}");
                    return ExitCode::from(EXIT_CONFIG);
                }
            };
            let (log, _) =
                LogControl::install(&loaded.options.log_level, loaded.options.log_format);
            match cxone_chatd::run::run(loaded, flags, log) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = %e, "cxone-chatd stopped: {e}");
                    eprintln!("cxone-chatd: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
