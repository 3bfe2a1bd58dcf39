//! House rules of the `rpc` module that the compiler does not check: every file says what it holds
//! in a `//!` doc, `foo.rs` + `foo/` instead of `mod.rs`, and the architecture invariant that the
//! local API does not know the CXone wire format.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn rpc_sources() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("rpc.rs")];
    rust_files(&src.join("rpc"), &mut files);
    assert!(files.len() > 10, "the rpc sources were not found");
    files
}

fn rpc_tests() -> Vec<PathBuf> {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    rust_files(&tests, &mut files);
    files.retain(|f| f.file_name().unwrap().to_string_lossy().starts_with("rpc_"));
    files
}

#[test]
fn every_file_starts_with_a_module_doc() {
    for file in rpc_sources().into_iter().chain(rpc_tests()) {
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//! "),
            "{} does not start with a `//!` doc",
            file.display()
        );
    }
}

#[test]
fn no_mod_rs() {
    for file in rpc_sources() {
        assert_ne!(
            file.file_name().unwrap(),
            "mod.rs",
            "{}: use foo.rs + foo/",
            file.display()
        );
    }
}

#[test]
fn rpc_does_not_use_the_cxone_module() {
    // Every way to name the module from inside the crate: a path through it, `use crate::cxone`,
    // `super::…::cxone`, or an import group.
    let paths = [
        "cxone::",
        "crate::cxone",
        "super::cxone",
        "{cxone",
        ", cxone}",
        ", cxone,",
    ];
    for file in rpc_sources() {
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            assert!(
                !paths.iter().any(|p| line.contains(p)),
                "{}:{}: the rpc module must not depend on the cxone module: {line}",
                file.display(),
                n + 1
            );
        }
    }
}
