//! House rules the compiler does not check, for the whole workspace: every Rust file says what
//! it holds in a `//!` doc, modules use `foo.rs` + `foo/` rather than `mod.rs`, and actix stays
//! out of the protocol crate.

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
    // Shared test helpers (`tests/common/mod.rs`) are the one idiomatic exception: Cargo would
    // otherwise build `tests/common.rs` as a test target of its own.
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
