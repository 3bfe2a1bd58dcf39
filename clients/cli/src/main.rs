//! `cxone-chat`: the command-line client of cxone-chatd. It speaks only the published local API
//! (`protocol/openrpc.json`): NDJSON JSON-RPC 2.0 over the daemon's UNIX socket.

mod chat;
mod client;
mod docs;
mod error;
mod render;
mod watch;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, Parser, Subcommand};
use serde_json::{Value, json};

use client::{Connection, Next};
use error::CliError;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  other failure (I/O, a daemon answer that is not JSON)
  2  usage error (bad arguments, bad JSON params)
  3  the daemon is not running at the socket, or went away
  4  the daemon answered with a JSON-RPC error (message, kind and code on stderr)
  5  timed out (no answer, or no awaited reply, in time)";

/// Command-line client of cxone-chatd: calls, events, sending, and an interactive chat.
#[derive(Debug, Parser)]
#[command(name = "cxone-chat", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Global {
    /// The daemon's socket [default: $XDG_RUNTIME_DIR/cxone-chatd/rpc.sock, or
    /// /run/cxone-chatd/rpc.sock].
    #[arg(long, global = true, env = "CXONE_CHATD_SOCKET")]
    socket: Option<PathBuf>,
    /// Print results and errors as JSON (one line) instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Wait up to SECS for the daemon to come up instead of failing at once.
    #[arg(long, global = true, value_name = "SECS")]
    wait: Option<f64>,
    /// How long to wait for each answer, in seconds.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30.0)]
    timeout: f64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the daemon's health and its sessions (daemon.status).
    Status,
    /// Call any method: `cxone-chat call session.state '{"session":"kiosk"}'` (`-` reads the
    /// params from stdin). Prints the result.
    Call {
        /// The method name (see `cxone-chat call rpc.discover`).
        method: String,
        /// The params, a JSON object (by name).
        params: Option<String>,
    },
    /// Stream events as NDJSON, one `events.event` params object per line; resumes where it left
    /// off (`since`) when the daemon restarts.
    Watch(watch::WatchArgs),
    /// Send a message in a thread (the session's newest open thread, or a new one).
    Send {
        /// The message text.
        text: String,
        /// The session.
        #[arg(long, default_value = "default")]
        session: String,
        /// The thread; by default the newest thread that is not closed, else a new one.
        #[arg(long)]
        thread: Option<String>,
        /// Wait up to SECS for the agent's answer and print it (and any automated message before).
        #[arg(long, value_name = "SECS")]
        wait_reply: Option<f64>,
    },
    /// End the conversation of a thread (thread.endContact) and wait until it is closed.
    End {
        /// The session.
        #[arg(long, default_value = "default")]
        session: String,
        /// The thread; by default the newest thread that is not closed.
        #[arg(long)]
        thread: Option<String>,
    },
    /// List the session's threads (threads.list).
    Threads {
        /// The session.
        #[arg(long, default_value = "default")]
        session: String,
    },
    /// Chat interactively in the terminal: agent messages, typing and queue position as they
    /// happen. Type a line to send it; /end ends the conversation, /quit leaves.
    Chat(chat::ChatArgs),
}

fn main() -> ExitCode {
    if let Some(dir) = docs::requested() {
        return match docs::generate(Cli::command(), "1", &dir) {
            Ok(files) => {
                for f in files {
                    println!("{}", f.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cxone-chat: {e}");
                ExitCode::from(error::exit::FAILURE)
            }
        };
    }
    let cli = Cli::parse();
    let json_out = cli.global.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json_out {
                eprintln!("{}", e.to_json());
            } else {
                eprintln!("cxone-chat: {e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// What every command needs: where the daemon is and how long to wait.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) socket: PathBuf,
    pub(crate) json: bool,
    pub(crate) wait: Option<Duration>,
    pub(crate) timeout: Duration,
}

impl Ctx {
    pub(crate) fn connect(&self) -> Result<Connection, CliError> {
        Connection::open(&self.socket, self.wait)
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let secs = |s: f64, what: &str| {
        Duration::try_from_secs_f64(s)
            .map_err(|_| CliError::Usage(format!("{what} must be a number of seconds ≥ 0")))
    };
    let ctx = Ctx {
        socket: cli.global.socket.unwrap_or_else(default_socket),
        json: cli.global.json,
        wait: cli.global.wait.map(|w| secs(w, "--wait")).transpose()?,
        timeout: secs(cli.global.timeout, "--timeout")?,
    };
    match cli.command {
        Command::Status => {
            let s = ctx
                .connect()?
                .call("daemon.status", json!({}), ctx.timeout)?;
            print_result(&ctx, &s, render::status);
        }
        Command::Call { method, params } => {
            let params = parse_params(params)?;
            let r = ctx.connect()?.call(&method, params, ctx.timeout)?;
            print_result(&ctx, &r, |v| {
                serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
            });
        }
        Command::Watch(args) => watch::run(&ctx, args)?,
        Command::Send {
            text,
            session,
            thread,
            wait_reply,
        } => {
            let wait_reply = wait_reply.map(|w| secs(w, "--wait-reply")).transpose()?;
            send(&ctx, &session, thread, &text, wait_reply)?;
        }
        Command::End { session, thread } => end(&ctx, &session, thread)?,
        Command::Threads { session } => {
            let r =
                ctx.connect()?
                    .call("threads.list", json!({"session": session}), ctx.timeout)?;
            print_result(&ctx, &r, render::threads);
        }
        Command::Chat(args) => chat::run(&ctx, args)?,
    }
    Ok(())
}

fn send(
    ctx: &Ctx,
    session: &str,
    thread: Option<String>,
    text: &str,
    wait_reply: Option<Duration>,
) -> Result<(), CliError> {
    let mut c = ctx.connect()?;
    if wait_reply.is_some() {
        // Subscribed before sending, so a fast answer is not missed.
        c.call(
            "events.subscribe",
            json!({"session": session, "kinds": ["message.created"]}),
            ctx.timeout,
        )?;
    }
    let thread = match thread {
        Some(t) => t,
        None => chat::pick_thread(&mut c, ctx, session, false)?,
    };
    let sent = c.call(
        "thread.send",
        json!({"session": session, "threadId": thread, "text": text}),
        ctx.timeout,
    )?;
    print_result(ctx, &sent, |m| {
        format!(
            "{} (thread {}, {})\n",
            render::message_line(m),
            m["threadId"].as_str().unwrap_or("?"),
            m["status"].as_str().unwrap_or("?")
        )
    });
    let Some(wait) = wait_reply else {
        return Ok(());
    };
    let deadline = Instant::now() + wait;
    loop {
        match c.next_event(Some(deadline))? {
            Next::TimedOut => {
                return Err(CliError::Timeout {
                    what: "the contact centre's reply".to_owned(),
                    after: wait,
                });
            }
            Next::Event(e) => {
                let m = &e["data"]["message"];
                if e["kind"] == "message.created"
                    && m["direction"] == "outbound"
                    && m["threadId"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case(&thread))
                {
                    print_result(ctx, m, |m| render::message_line(m) + "\n");
                    // Automated messages (a welcome) are shown on the way; the wait ends with
                    // a message someone wrote.
                    if m["author"].is_object() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

fn end(ctx: &Ctx, session: &str, thread: Option<String>) -> Result<(), CliError> {
    let mut c = ctx.connect()?;
    c.call(
        "events.subscribe",
        json!({"session": session, "kinds": ["contact.status"]}),
        ctx.timeout,
    )?;
    let thread = match thread {
        Some(t) => t,
        None => chat::open_thread(&mut c, ctx, session)?.ok_or_else(|| {
            CliError::Usage(format!("session {session:?} has no open thread to end"))
        })?,
    };
    c.call(
        "thread.endContact",
        json!({"session": session, "threadId": thread}),
        ctx.timeout,
    )?;
    let deadline = Instant::now() + ctx.timeout;
    loop {
        match c.next_event(Some(deadline))? {
            Next::TimedOut => {
                return Err(CliError::Timeout {
                    what: "the conversation to close".to_owned(),
                    after: ctx.timeout,
                });
            }
            Next::Event(e) => {
                let d = &e["data"];
                if d["status"] == "closed"
                    && d["threadId"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case(&thread))
                {
                    print_result(ctx, &e, |_| {
                        format!("the conversation in thread {thread} is closed\n")
                    });
                    return Ok(());
                }
            }
        }
    }
}

/// Prints `v` as one JSON line with `--json`, else as `human` renders it.
pub(crate) fn print_result(ctx: &Ctx, v: &Value, human: impl Fn(&Value) -> String) {
    if ctx.json {
        println!("{v}");
    } else {
        print!("{}", human(v));
    }
}

fn parse_params(params: Option<String>) -> Result<Value, CliError> {
    let text = match params.as_deref() {
        None => return Ok(json!({})),
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| CliError::Other(format!("cannot read params from stdin: {e}")))?;
            s
        }
        Some(s) => s.to_owned(),
    };
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("params are not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(CliError::Usage(
            "params must be a JSON object (parameters by name), e.g. '{\"session\":\"default\"}'"
                .to_owned(),
        ));
    }
    Ok(v)
}

/// The daemon's default socket: `$XDG_RUNTIME_DIR/cxone-chatd/rpc.sock`, else
/// `/run/cxone-chatd/rpc.sock`.
fn default_socket() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("cxone-chatd/rpc.sock"),
        None => PathBuf::from("/run/cxone-chatd/rpc.sock"),
    }
}
