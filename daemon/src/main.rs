//! The `cxone-chatd` binary: argument parsing and process exit codes only.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Headless CXone chat daemon driven over a local JSON-RPC socket.
#[derive(Debug, Parser)]
#[command(name = "cxone-chatd", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
        Command::Decode { file, compact } => match cxone_chatd::decode_cmd::run(&file) {
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
    }
}
