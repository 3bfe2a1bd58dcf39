//! `cxone-chat watch`: the event stream as NDJSON, resumed with `since` across daemon restarts.

use std::io::Write;
use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use crate::Ctx;
use crate::client::{Connection, Next};
use crate::error::CliError;

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// Only events of this session (and daemon-wide ones).
    #[arg(long)]
    session: Option<String>,
    /// Only events of this kind (repeat for several), e.g. `--kind message.created`.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// Replay buffered events after this position first (`EPOCH:SEQ`, from an earlier event).
    #[arg(long, value_name = "EPOCH:SEQ")]
    since: Option<String>,
    /// Exit after printing this many events.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Exit (code 3) when the daemon goes away instead of waiting for it and resuming.
    #[arg(long)]
    no_resume: bool,
}

/// Where the stream was left: the epoch and seq of the last event printed.
type Cursor = Option<(String, u64)>;

pub(crate) fn run(ctx: &Ctx, args: WatchArgs) -> Result<(), CliError> {
    let mut cursor: Cursor = match &args.since {
        None => None,
        Some(s) => Some(parse_since(s)?),
    };
    let mut printed = 0u64;
    let mut conn = ctx.connect()?;
    loop {
        match stream(ctx, &args, &mut conn, &mut cursor, &mut printed) {
            Ok(()) => return Ok(()),
            Err(CliError::Lost { .. }) if !args.no_resume => {
                eprintln!(
                    "cxone-chat: the daemon at {} went away; waiting for it to resume the stream",
                    ctx.socket.display()
                );
                conn = reconnect(ctx);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Subscribes from `cursor` and prints events until the count is reached or the connection
/// fails.
fn stream(
    ctx: &Ctx,
    args: &WatchArgs,
    conn: &mut Connection,
    cursor: &mut Cursor,
    printed: &mut u64,
) -> Result<(), CliError> {
    if args.count.is_some_and(|n| *printed >= n) {
        return Ok(());
    }
    let mut params = json!({});
    if let Some(s) = &args.session {
        params["session"] = json!(s);
    }
    if !args.kinds.is_empty() {
        params["kinds"] = json!(args.kinds);
    }
    if let Some((epoch, seq)) = cursor.as_ref() {
        params["since"] = json!({"epoch": epoch, "seq": seq});
    }
    conn.call("events.subscribe", params, ctx.timeout)?;
    let mut out = std::io::stdout().lock();
    loop {
        let Next::Event(e) = conn.next_event(None)? else {
            continue;
        };
        if let (Some(epoch), Some(seq)) = (e["epoch"].as_str(), e["seq"].as_u64()) {
            *cursor = Some((epoch.to_owned(), seq));
        }
        writeln!(out, "{}", without_subscription(e))
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Other(format!("cannot write to stdout: {e}")))?;
        *printed += 1;
        if args.count.is_some_and(|n| *printed >= n) {
            return Ok(());
        }
    }
}

/// The subscription id changes with every resume and means nothing to a reader of the stream.
fn without_subscription(mut e: Value) -> Value {
    if let Some(o) = e.as_object_mut() {
        o.remove("subscription");
    }
    e
}

/// Waits, however long it takes, for the daemon to accept connections again.
fn reconnect(ctx: &Ctx) -> Connection {
    let mut pause = Duration::from_millis(100);
    loop {
        if let Ok(c) = Connection::open(&ctx.socket, None) {
            return c;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

fn parse_since(s: &str) -> Result<(String, u64), CliError> {
    let bad = || {
        CliError::Usage(format!(
            "--since {s:?} is not EPOCH:SEQ (e.g. the epoch and seq of an event)"
        ))
    };
    let (epoch, seq) = s.rsplit_once(':').ok_or_else(bad)?;
    let seq = seq.parse().map_err(|_| bad())?;
    if epoch.is_empty() {
        return Err(bad());
    }
    Ok((epoch.to_owned(), seq))
}
