//! `cxone-chat chat`: an interactive chat in the terminal. One connection carries the calls
//! made for the lines typed on stdin; a second one, read by its own thread, prints the
//! contact centre's side (messages, typing, queue position, assignment) as it happens. The
//! output is plain lines, so it works in any terminal, over ssh, and under `script` or tmux.

use std::collections::HashSet;
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use crate::client::{Connection, Next, is_unprepared};
use crate::error::CliError;
use crate::{Ctx, render};

#[derive(Debug, Args)]
pub(crate) struct ChatArgs {
    /// The session.
    #[arg(long, default_value = "default")]
    session: String,
    /// The thread to chat in; by default the newest thread that is not closed, else a new one.
    #[arg(long)]
    thread: Option<String>,
    /// Start a new thread even if an open one exists.
    #[arg(long)]
    new_thread: bool,
    /// Prepare the session first, if it is not, for this brand id...
    #[arg(long, requires = "channel")]
    brand: Option<u64>,
    /// ...and this channel id.
    #[arg(long, requires = "brand")]
    channel: Option<String>,
    /// The CXone environment for --brand: a name (`NA1`, `EU1`, …) or a JSON object
    /// `{"chatUrl": …, "socketUrl": …}`; left out, the daemon's default (the sandbox).
    #[arg(long)]
    environment: Option<String>,
    /// The customer's id for --brand (the daemon mints one when left out).
    #[arg(long)]
    customer_id: Option<String>,
    /// The customer's first name for --brand.
    #[arg(long)]
    first_name: Option<String>,
    /// The customer's last name for --brand.
    #[arg(long)]
    last_name: Option<String>,
}

const HELP: &str = "Type a message and press Enter to send it. Commands: /end ends the conversation, \
/new starts a new thread, /quit leaves (the conversation goes on); /yes and /no answer an \
inactivity prompt; /available asks whether an agent is available; /offline EMAIL MESSAGE leaves \
a message for the contact centre to answer by e-mail.";

/// An inactivity popup waiting for the customer's answer.
#[derive(Debug, Clone)]
struct Popup {
    thread: String,
    /// When it runs out, in Unix milliseconds.
    expires_ms: i64,
    /// The buttons' text and postback: keep chatting, end.
    yes: (String, String),
    no: (String, String),
}

impl Popup {
    /// Reads `OpenInactivityPopup` (from the proactive action or the thread).
    fn read(p: &Value) -> Option<Self> {
        let button = |b: &Value| {
            Some((
                b["text"].as_str()?.to_owned(),
                b["postback"].as_str()?.to_owned(),
            ))
        };
        Some(Self {
            thread: p["threadId"].as_str()?.to_owned(),
            expires_ms: cxone_chat_protocol::cxone::time::Timestamp::parse(
                p["expiresAt"].as_str()?,
            )
            .ok()?
            .unix_ms(),
            yes: button(&p["prompt"]["continueButton"])?,
            no: button(&p["prompt"]["endButton"])?,
        })
    }
}

type SharedPopup = Arc<Mutex<Option<Popup>>>;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Prints the countdown of the open popup, a line now and then, until it is answered, closed
/// or out of time.
fn count_down(popup: &SharedPopup) {
    let mut last_printed = None;
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let Some(p) = popup.lock().ok().and_then(|p| p.clone()) else {
            last_printed = None;
            continue;
        };
        let left_ms = p.expires_ms - now_ms();
        let left = u64::try_from(left_ms.max(0)).unwrap_or(0).div_ceil(1000);
        if last_printed == Some((p.expires_ms, left)) {
            continue;
        }
        if let Some(line) = render::countdown_line(left) {
            println!("{line}");
            last_printed = Some((p.expires_ms, left));
        }
        if left == 0
            && let Ok(mut open) = popup.lock()
        {
            *open = None;
        }
    }
}

pub(crate) fn run(ctx: &Ctx, args: ChatArgs) -> Result<(), CliError> {
    let session = args.session.clone();
    let mut calls = ctx.connect()?;
    let mut events = ctx.connect()?;
    // Subscribed before anything happens, so no reply is missed.
    let sub = events.call("events.subscribe", json!({"session": session}), ctx.timeout)?;
    let cursor = (
        sub["epoch"].as_str().unwrap_or_default().to_owned(),
        sub["seq"].as_u64().unwrap_or_default(),
    );

    let offline = prepare_and_connect(ctx, &mut calls, &args)?;
    // A live chat with no agent has no conversation to show yet: the chat starts without a
    // thread and joins one once an agent is available (see `join_when_available`).
    let thread = match args.thread.clone() {
        Some(t) => Some(t),
        None if offline => None,
        None => Some(pick_thread(&mut calls, ctx, &session, args.new_thread)?),
    };
    let popup: SharedPopup = Arc::new(Mutex::new(None));
    // Messages already shown, so that their events (still queued on the event connection) are
    // not shown again.
    let mut shown_ids = HashSet::new();
    match &thread {
        Some(thread) => {
            show_thread(ctx, &mut calls, &session, thread, &popup, &mut shown_ids)?;
        }
        None => {
            println!("No agent is available in session {session}; type a message to try again.");
            println!("{HELP}");
        }
    }
    let ticker_popup = Arc::clone(&popup);
    std::thread::spawn(move || count_down(&ticker_popup));

    let current = Arc::new(Mutex::new(thread.unwrap_or_default()));
    let printer_thread = Arc::clone(&current);
    let printer_popup = Arc::clone(&popup);
    let printer_ctx = ctx.clone();
    let printer_session = session.clone();
    std::thread::spawn(move || {
        print_events(
            &printer_ctx,
            &printer_session,
            events,
            cursor,
            &printer_thread,
            &printer_popup,
            shown_ids,
        )
    });

    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        let mut thread = current.lock().map(|t| t.clone()).unwrap_or_default();
        let needs_thread = !line.is_empty()
            && !matches!(line, "/quit" | "/exit" | "/help" | "/available")
            && !line.starts_with("/offline");
        if thread.is_empty() && needs_thread {
            match join_when_available(ctx, &mut calls, &session, &popup) {
                Ok(Some(joined)) => {
                    if let Ok(mut c) = current.lock() {
                        c.clone_from(&joined);
                    }
                    thread = joined;
                }
                Ok(None) => {
                    println!(
                        "! no agent is available yet; /offline EMAIL MESSAGE leaves a message, /available asks again"
                    );
                    continue;
                }
                Err(e) => {
                    println!("! {e}");
                    continue;
                }
            }
        }
        let outcome = match line {
            "" => Ok(()),
            "/quit" | "/exit" => break,
            "/help" => {
                println!("{HELP}");
                Ok(())
            }
            "/end" => calls
                .call(
                    "thread.endContact",
                    json!({"session": session, "threadId": thread}),
                    ctx.timeout,
                )
                .map(|_| println!("… ending the conversation")),
            "/yes" | "/no" => {
                let open = popup.lock().ok().and_then(|mut p| p.take());
                match open.filter(|p| p.thread.eq_ignore_ascii_case(&thread)) {
                    None => {
                        println!("! there is no inactivity prompt to answer");
                        Ok(())
                    }
                    Some(p) => {
                        let (text, postback) = if line == "/yes" { p.yes } else { p.no };
                        calls
                            .call(
                                "thread.send",
                                json!({"session": session, "threadId": thread, "text": text, "postback": postback}),
                                ctx.timeout,
                            )
                            .map(|_| println!("… answered {text:?}"))
                    }
                }
            }
            "/available" => calls
                .call(
                    "session.availability",
                    json!({"session": session}),
                    ctx.timeout,
                )
                .map(|a| {
                    if a["online"] == true {
                        println!("… an agent is available");
                    } else {
                        println!("… no agent is available now");
                    }
                }),
            offline if offline.starts_with("/offline") => {
                leave_offline_message(ctx, &mut calls, &session, offline)
            }
            "/new" => calls
                .call("threads.create", json!({"session": session}), ctx.timeout)
                .map(|t| {
                    let id = t["id"].as_str().unwrap_or_default().to_owned();
                    println!("… new thread {id}");
                    if let Ok(mut c) = current.lock() {
                        *c = id;
                    }
                }),
            text => calls
                .call(
                    "thread.send",
                    json!({"session": session, "threadId": thread, "text": text}),
                    ctx.timeout,
                )
                .map(|m| {
                    if m["status"] == "queued" {
                        println!("… queued; it will be sent when the connection is back");
                    }
                }),
        };
        match outcome {
            Ok(()) => {}
            Err(e @ (CliError::Lost { .. } | CliError::Unreachable { .. })) => {
                println!("! {e}");
                calls = ctx
                    .connect()
                    .or_else(|_| Connection::open(&ctx.socket, Some(Duration::from_secs(10))))?;
            }
            Err(e) => println!("! {e}"),
        }
    }
    Ok(())
}

/// Prints the thread's snapshot (and its open inactivity prompt) before the chat goes on in it.
fn show_thread(
    ctx: &Ctx,
    calls: &mut Connection,
    session: &str,
    thread: &str,
    popup: &SharedPopup,
    shown_ids: &mut HashSet<String>,
) -> Result<(), CliError> {
    let snapshot = calls.call(
        "threads.get",
        json!({"session": session, "threadId": thread}),
        ctx.timeout,
    )?;
    println!(
        "Chatting in thread {thread} ({}) of session {session}.",
        snapshot["thread"]["state"].as_str().unwrap_or("?")
    );
    println!("{HELP}");
    for m in snapshot["messages"].as_array().into_iter().flatten() {
        println!("{}", render::message_line(m));
        shown_ids.extend(m["id"].as_str().map(str::to_owned));
    }
    if let Some(p) = Popup::read(&snapshot["thread"]["inactivityPopup"]) {
        println!(
            "{}",
            render::popup_prompt(&snapshot["thread"]["inactivityPopup"])
        );
        if let Ok(mut open) = popup.lock() {
            *open = Some(p);
        }
    }
    Ok(())
}

/// While the live chat was offline: connects again and, when an agent is available now, starts
/// the conversation's thread. `None` while still offline.
fn join_when_available(
    ctx: &Ctx,
    calls: &mut Connection,
    session: &str,
    popup: &SharedPopup,
) -> Result<Option<String>, CliError> {
    let state = calls.call("session.connect", json!({"session": session}), ctx.timeout)?;
    if state["state"] == "offline" {
        return Ok(None);
    }
    let thread = pick_thread(calls, ctx, session, false)?;
    println!("… an agent is available now");
    show_thread(ctx, calls, session, &thread, popup, &mut HashSet::new())?;
    Ok(Some(thread))
}

/// `/offline EMAIL MESSAGE`: the offline form, in the customer's name as the session knows it.
fn leave_offline_message(
    ctx: &Ctx,
    calls: &mut Connection,
    session: &str,
    line: &str,
) -> Result<(), CliError> {
    let rest = line.trim_start_matches("/offline").trim();
    let Some((email, message)) = rest.split_once(' ') else {
        println!(
            "! type /offline EMAIL MESSAGE, e.g. /offline ada@example.com Please call me back"
        );
        return Ok(());
    };
    let customer = calls.call("customer.get", json!({"session": session}), ctx.timeout)?;
    let name = [&customer["firstName"], &customer["lastName"]]
        .iter()
        .filter_map(|n| n.as_str().filter(|n| !n.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() {
        "Customer".to_owned()
    } else {
        name
    };
    calls
        .call(
            "session.sendOfflineMessage",
            json!({"session": session, "name": name, "email": email, "message": message.trim()}),
            ctx.timeout,
        )
        .map(|_| {
            println!("… your message was left for the contact centre; the answer comes to {email}")
        })
}

/// Prepares the session when it is not (and `--brand`/`--channel` say how), then connects it
/// unless it already is. True when the connect found the live chat offline.
fn prepare_and_connect(ctx: &Ctx, c: &mut Connection, args: &ChatArgs) -> Result<bool, CliError> {
    let session = &args.session;
    let state = match c.call("session.state", json!({"session": session}), ctx.timeout) {
        Ok(s) => s,
        Err(e) if is_unprepared(&e) => {
            let (Some(brand), Some(channel)) = (args.brand, args.channel.as_ref()) else {
                return Err(CliError::Usage(format!(
                    "session {session:?} is not prepared; pass --brand and --channel (and \
                     --environment for a real tenant), or prepare it with `cxone-chat call \
                     session.prepare '{{\"brandId\": …, \"channelId\": …}}'`"
                )));
            };
            let mut params = json!({"session": session, "brandId": brand, "channelId": channel});
            if let Some(env) = &args.environment {
                params["environment"] =
                    serde_json::from_str(env).unwrap_or_else(|_| Value::String(env.clone()));
            }
            let mut customer = json!({});
            for (key, value) in [
                ("id", &args.customer_id),
                ("firstName", &args.first_name),
                ("lastName", &args.last_name),
            ] {
                if let Some(v) = value {
                    customer[key] = json!(v);
                }
            }
            if customer.as_object().is_some_and(|o| !o.is_empty()) {
                params["customer"] = customer;
            }
            c.call("session.prepare", params, ctx.timeout)?
        }
        Err(e) => return Err(e),
    };
    if !matches!(state["state"].as_str(), Some("connected" | "ready")) {
        let s = c.call("session.connect", json!({"session": session}), ctx.timeout)?;
        if s["state"] == "offline" {
            println!("… live chat is offline (no agents available)");
            if s["channel"]["offlineForm"] == true {
                println!("… leave a message for an answer by e-mail: /offline EMAIL MESSAGE");
            }
            return Ok(true);
        }
    }
    Ok(false)
}

/// The thread to use: with `new`, a new one; else the newest one that is not closed, or a new
/// one when there is none.
pub(crate) fn pick_thread(
    c: &mut Connection,
    ctx: &Ctx,
    session: &str,
    new: bool,
) -> Result<String, CliError> {
    if !new && let Some(id) = open_thread(c, ctx, session)? {
        return Ok(id);
    }
    let t = c.call("threads.create", json!({"session": session}), ctx.timeout)?;
    t["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| CliError::Other(format!("threads.create returned no id: {t}")))
}

/// The session's newest thread that is not closed, if any.
pub(crate) fn open_thread(
    c: &mut Connection,
    ctx: &Ctx,
    session: &str,
) -> Result<Option<String>, CliError> {
    let list = c.call("threads.list", json!({"session": session}), ctx.timeout)?;
    let open = list["threads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["state"] != "closed")
        .max_by_key(|t| {
            t["updatedAt"]
                .as_str()
                .or_else(|| t["createdAt"].as_str())
                .unwrap_or_default()
                .to_owned()
        });
    Ok(open.and_then(|t| t["id"].as_str()).map(str::to_owned))
}

/// Prints the contact centre's side of the current thread; when the daemon goes away, waits
/// for it and resumes the stream from the last event seen.
fn print_events(
    ctx: &Ctx,
    session: &str,
    mut conn: Connection,
    mut cursor: (String, u64),
    thread: &Mutex<String>,
    popup: &Mutex<Option<Popup>>,
    mut shown_ids: HashSet<String>,
) {
    loop {
        match conn.next_event(None) {
            Ok(Next::Event(e)) => {
                if let (Some(epoch), Some(seq)) = (e["epoch"].as_str(), e["seq"].as_u64()) {
                    cursor = (epoch.to_owned(), seq);
                }
                let current = thread.lock().map(|t| t.clone()).unwrap_or_default();
                let id = &e["data"]["message"]["id"];
                if e["kind"] == "message.created"
                    && id
                        .as_str()
                        .is_some_and(|id| !shown_ids.insert(id.to_owned()))
                {
                    continue;
                }
                track_popup(&e, &current, popup);
                if let Some(line) = render::event_line(&e, Some(&current)) {
                    println!("{line}");
                }
            }
            Ok(Next::TimedOut) => {}
            Err(_) => {
                println!("… the daemon went away; waiting for it to come back");
                loop {
                    std::thread::sleep(Duration::from_millis(500));
                    let Ok(mut c) = Connection::open(&ctx.socket, None) else {
                        continue;
                    };
                    let since = json!({"epoch": cursor.0, "seq": cursor.1});
                    if c.call(
                        "events.subscribe",
                        json!({"session": session, "since": since}),
                        ctx.timeout,
                    )
                    .is_ok()
                    {
                        println!("… the daemon is back");
                        conn = c;
                        break;
                    }
                }
            }
        }
    }
}

/// Keeps the open popup of the current thread up to date: opened by its proactive action,
/// closed when the thread shows none (answered, someone wrote, the contact ended).
fn track_popup(e: &Value, current: &str, popup: &Mutex<Option<Popup>>) {
    let data = &e["data"];
    let opened = (e["kind"] == "proactive.action"
        && data["action"]["actionType"] == "inactivityPopup")
        .then(|| Popup::read(&data["action"]["content"]["inactivityPopup"]))
        .flatten();
    let Ok(mut open) = popup.lock() else {
        return;
    };
    if let Some(p) = opened.filter(|p| p.thread.eq_ignore_ascii_case(current)) {
        *open = Some(p);
    } else if e["kind"] == "thread.updated"
        && data["thread"]["id"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(current))
        && data["thread"]["inactivityPopup"].is_null()
    {
        *open = None;
    }
}
