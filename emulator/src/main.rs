//! The `cxone-emulator` binary: `--listen 127.0.0.1:PORT` (port 0 picks one) and an optional
//! `--config FILE` and `--tls [--tls-ca-out PEM] [--tls-cert-dir DIR]`; prints `listening on http(s)://127.0.0.1:PORT`
//! as its first line.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use cxone_emulator::{Emulator, EmulatorConfig};

/// A local CXone chat back end with a simulated agent.
#[derive(Debug, Parser)]
#[command(name = "cxone-emulator", version, about)]
struct Cli {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// A TOML file with more brands and channels (see emulator/README.md).
    #[arg(long)]
    config: Option<String>,
    /// Serve HTTPS and WSS with a certificate generated now for 127.0.0.1 and localhost
    /// (plain HTTP still answers on the same port, for the admin API).
    #[arg(long)]
    tls: bool,
    /// With --tls: write the certificate (PEM) here, the root a client must trust.
    #[arg(long, requires = "tls")]
    tls_ca_out: Option<std::path::PathBuf>,
    /// With --tls: keep the certificate and its key in this directory (cert.pem, key.pem),
    /// made on the first start and served again by later ones.
    #[arg(long, requires = "tls")]
    tls_cert_dir: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match &cli.config {
        Some(path) => match EmulatorConfig::default().load_file(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("cxone-emulator: {e}");
                return ExitCode::from(2);
            }
        },
        None => EmulatorConfig::default(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cxone-emulator: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let started = if let Some(dir) = &cli.tls_cert_dir {
            Emulator::start_tls_in(&cli.listen, config, dir).await
        } else if cli.tls {
            Emulator::start_tls(&cli.listen, config).await
        } else {
            Emulator::start(&cli.listen, config).await
        };
        let emulator = match started {
            Ok(e) => e,
            Err(e) => {
                eprintln!("cxone-emulator: cannot listen on {}: {e}", cli.listen);
                return ExitCode::from(1);
            }
        };
        if let (Some(path), Some(pem)) = (&cli.tls_ca_out, emulator.ca_pem())
            && let Err(e) = std::fs::write(path, pem)
        {
            eprintln!("cxone-emulator: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        // Tests and scripts read this line to learn the port.
        println!("listening on {}", emulator.base_url());
        let _ = std::io::stdout().flush();
        let _ = tokio::signal::ctrl_c().await;
        ExitCode::SUCCESS
    })
}
