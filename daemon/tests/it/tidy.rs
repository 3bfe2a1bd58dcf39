//! House rules the compiler does not check, for the whole workspace: every Rust file says what
//! it holds in a `//!` doc, modules use `foo.rs` + `foo/` rather than `mod.rs`, actix stays out
//! of the protocol crate and inside the daemon's actor layer (`actors/`, `rpc/`, `run.rs`), the
//! daemon's plain logic (`session/`) imports neither actix nor the layers above it, and no
//! import circle joins the files of the daemon or the emulator.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn workspace_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["protocol", "daemon", "emulator", "clients/cli"] {
        rust_files(&root.join(krate).join("src"), &mut files);
        rust_files(&root.join(krate).join("tests"), &mut files);
    }
    assert!(files.len() > 40, "the workspace sources were not found");
    files
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<String> = workspace_files()
        .into_iter()
        .filter(|f| !fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` doc saying what they hold: {missing:#?}"
    );
}

#[test]
fn no_mod_rs_files() {
    // Shared test helpers of a crate with several test binaries (`tests/flows/common/mod.rs`)
    // are the one idiomatic exception: Cargo would otherwise build them as a target of their own.
    let offenders: Vec<String> = workspace_files()
        .into_iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "mod.rs"))
        .filter(|f| !f.components().any(|c| c.as_os_str() == "tests"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "use foo.rs + foo/ instead of foo/mod.rs: {offenders:#?}"
    );
}

#[test]
fn the_protocol_crate_knows_no_actors() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocol/src"),
        &mut files,
    );
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("actix"),
            "{}: wire types must not know about actors",
            f.display()
        );
    }
}

fn daemon_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The file's text without comments (doc comments name paths that are not imports).
fn code(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn actix_stays_in_the_actor_layer() {
    let src = daemon_src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let outside: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&src).unwrap().to_string_lossy().into_owned())
        .filter(|rel| !(rel.starts_with("actors") || rel.starts_with("rpc") || rel == "run.rs"))
        .filter(|rel| code(&src.join(rel)).contains("actix"))
        .collect();
    assert!(
        outside.is_empty(),
        "actix belongs to actors/, rpc/ and run.rs only; found in {outside:#?}"
    );
}

#[test]
fn the_plain_logic_imports_no_actor_and_no_rpc() {
    let src = daemon_src();
    let mut files = Vec::new();
    rust_files(&src.join("session"), &mut files);
    files.push(src.join("session.rs"));
    for f in files {
        let text = code(&f);
        for layer in ["actix", "crate::actors", "crate::rpc"] {
            assert!(
                !text.contains(layer),
                "{}: session/ is plain logic and must not use {layer}",
                f.display()
            );
        }
    }
}

#[test]
fn the_thread_registry_keeps_the_daemons_own_types_not_the_apis() {
    // The registry's model is the daemon's (`session/model.rs`); the local API's shapes are
    // made from it in `to_api.rs` only. A call's inputs (a chat mode, custom-field values) may
    // come in as the API gives them; threads, messages and events never live here as API types.
    let src = daemon_src();
    let api_shapes = [
        "Message",
        "MessageStatus",
        "MessageDirection",
        "Thread",
        "ThreadState",
        "Contact",
        "ContactStatus",
        "Agent",
        "CustomField",
        "Timestamp",
        "Attachment",
        "Author",
    ];
    for rel in ["session/model.rs", "session/threads.rs", "session/send.rs"] {
        let text = code(&src.join(rel));
        let text = text.split("#[cfg(test)]").next().unwrap();
        assert!(
            !text.contains("rpc::notifications"),
            "{rel} builds API events"
        );
        for path in use_paths(text).iter().filter(|p| p.contains("rpc::")) {
            let name = path.rsplit("::").next().unwrap();
            assert!(
                !api_shapes.contains(&name),
                "{rel} uses the local API's {path}; keep the registry in session::model terms"
            );
        }
    }
}

/// A crate's module tree, file by file: module path (`a::b`) → file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(src).unwrap().with_extension("");
            let path = rel.to_string_lossy().replace('/', "::");
            let path = if path == "lib" || path == "main" {
                String::new()
            } else {
                path
            };
            (path, f)
        })
        .collect()
}

/// Every `use` tree in `text` expanded into whole paths (`a::{b, c::d}` → `a::b`, `a::c::d`).
fn use_paths(text: &str) -> Vec<String> {
    fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head = tree[..open].trim().trim_end_matches("::");
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let prefix = join(prefix, head);
            let (mut depth, mut start) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&prefix, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand(&prefix, &inner[start..], out);
        } else if !tree.is_empty() {
            let path = tree.split(" as ").next().unwrap().trim();
            out.push(join(prefix, path));
        }
    }
    fn join(a: &str, b: &str) -> String {
        match (a.is_empty(), b.is_empty()) {
            (true, _) => b.to_owned(),
            (_, true) => a.to_owned(),
            _ => format!("{a}::{b}"),
        }
    }
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        let line = line
            .strip_prefix("pub ")
            .or_else(|| line.strip_prefix("pub(crate) "))
            .or_else(|| line.strip_prefix("pub(super) "))
            .unwrap_or(line);
        let Some(tree) = line.strip_prefix("use ") else {
            continue;
        };
        let mut statement = tree.to_owned();
        while !statement.contains(';') {
            match lines.next() {
                Some(next) => statement.push_str(next),
                None => break,
            }
        }
        let tree = statement.split(';').next().unwrap_or_default();
        expand("", tree, &mut out);
    }
    // Paths written inline in the code (`crate::a::b::f()`), not through `use`.
    for (i, _) in text
        .match_indices("crate::")
        .chain(text.match_indices("super::"))
    {
        let rest: String = text[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(rest.trim_end_matches(':').to_owned());
    }
    out
}

/// The module a path names (its longest prefix that is a module file), seen from `from`.
fn resolve(modules: &BTreeMap<String, PathBuf>, from: &str, path: &str) -> Option<String> {
    let mut segments: Vec<&str> = if from.is_empty() {
        vec![]
    } else {
        from.split("::").collect()
    };
    let mut rest = path.split("::").peekable();
    match rest.peek().copied() {
        Some("crate") => {
            segments.clear();
            rest.next();
        }
        Some("super") => {
            while rest.peek() == Some(&"super") {
                segments.pop();
                rest.next();
            }
        }
        // A child module, or another crate.
        Some(first)
            if modules
                .contains_key(&[from, first].join("::").trim_start_matches("::").to_owned()) => {}
        _ => return None,
    }
    let mut found = Some(segments.join("::"));
    for s in rest {
        segments.push(s);
        let candidate = segments.join("::");
        if modules.contains_key(&candidate) {
            found = Some(candidate);
        } else {
            break;
        }
    }
    found
}

/// The groups of files that import each other in a circle. A module and the modules inside it
/// (`a.rs` and `a/b.rs`) are one unit by Rust's design, so imports between them do not count.
fn circles(src: &Path) -> Vec<Vec<String>> {
    let modules = modules(src);
    let related = |a: &str, b: &str| {
        a == b
            || a.is_empty()
            || b.is_empty()
            || a.starts_with(&format!("{b}::"))
            || b.starts_with(&format!("{a}::"))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, file) in &modules {
        for path in use_paths(&code(file)) {
            if let Some(to) = resolve(&modules, from, &path)
                && !related(from, &to)
            {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Tarjan's strongly connected components.
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    fn visit(w: &mut Walk<'_>, v: &str) {
        let i = w.index.len();
        w.index.insert(v.to_owned(), i);
        w.low.insert(v.to_owned(), i);
        w.stack.push(v.to_owned());
        w.on_stack.insert(v.to_owned());
        for u in w.edges.get(v).cloned().unwrap_or_default() {
            if !w.index.contains_key(&u) {
                visit(w, &u);
                let l = w.low[&u].min(w.low[v]);
                w.low.insert(v.to_owned(), l);
            } else if w.on_stack.contains(&u) {
                let l = w.index[&u].min(w.low[v]);
                w.low.insert(v.to_owned(), l);
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(u) = w.stack.pop() {
                w.on_stack.remove(&u);
                let done = u == v;
                group.push(u);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                w.out.push(group);
            }
        }
    }
    let mut w = Walk {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for m in modules.keys() {
        if !w.index.contains_key(m) {
            visit(&mut w, m);
        }
    }
    w.out
}

#[test]
fn the_circle_check_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| fs::write(dir.path().join(name), text).unwrap();
    write("lib.rs", "//! x\nmod a;\nmod b;\nmod c;\n");
    write("a.rs", "//! a\nuse crate::b::{Thing, other::{X as Y}};\n");
    write("b.rs", "//! b\nfn f() { crate::c::g(); }\n");
    write("c.rs", "//! c\nuse super::a::Z;\n");
    assert_eq!(circles(dir.path()), vec![vec!["a", "b", "c"]]);
    write(
        "c.rs",
        "//! c\n// use super::a::Z; a comment is not an import\n",
    );
    assert!(circles(dir.path()).is_empty());
}

#[test]
fn no_import_circle_in_the_daemon_or_the_emulator() {
    for krate in ["daemon", "emulator"] {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(krate)
            .join("src");
        let found = circles(&src);
        assert!(
            found.is_empty(),
            "{krate}/src: modules that import each other in a circle: {found:?}"
        );
    }
}
