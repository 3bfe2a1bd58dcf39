//! The `cxone-chatd` binary: argument parsing and process exit codes only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cxone_chatd::options::{self, Options};

/// Headless CXone chat daemon driven over a local JSON-RPC socket.
#[derive(Debug, Parser)]
#[command(name = "cxone-chatd", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Socket path [default: $XDG_RUNTIME_DIR/cxone-chatd/rpc.sock, or /run/cxone-chatd/rpc.sock].
    #[arg(long, global = true, env = "CXONE_CHATD_SOCKET")]
    socket: Option<PathBuf>,
    /// State directory [default: $STATE_DIRECTORY, $XDG_STATE_HOME/cxone-chatd or ~/.local/state/cxone-chatd].
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Longest accepted request line, in bytes.
    #[arg(long)]
    max_line_length: Option<usize>,
    /// Messages queued per client before its events are dropped (`events.lagged`).
    #[arg(long)]
    client_queue: Option<usize>,
    /// Events kept for replay to subscribers that reconnect.
    #[arg(long)]
    event_buffer: Option<usize>,
    /// Start an embedded CXone emulator with a simulated agent and make it the default back
    /// end: try the whole API with no CXone account.
    #[arg(long)]
    sandbox: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon (the default).
    Run,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Some(Command::Run) | None => {
            let mut opts = Options::new(
                cli.socket.unwrap_or_else(options::default_socket),
                cli.state_dir.unwrap_or_else(options::default_state_dir),
            );
            if let Some(n) = cli.max_line_length {
                opts.max_line_length = n;
            }
            if let Some(n) = cli.client_queue {
                opts.client_queue = n;
            }
            if let Some(n) = cli.event_buffer {
                opts.event_buffer = n;
            }
            opts.sandbox = cli.sandbox;
            match cxone_chatd::run::run(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cxone-chatd: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
