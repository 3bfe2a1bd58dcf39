//! A configuration file's text through the schema check that `check-config` and start-up run
//! on every file (`daemon/src/config/file.rs`, `check`), compiled here on its own so the fuzz
//! build does not need the daemon's runtime. Never a panic, and an accepted configuration
//! written back as TOML is accepted again as the same configuration.
#![no_main]

#[allow(dead_code, unreachable_pub)]
#[path = "../../daemon/src/config/file.rs"]
mod file;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = file::check(text) {
        let written = toml::to_string(&config).expect("a checked configuration serializes");
        let again = file::check(&written)
            .unwrap_or_else(|e| panic!("written back, it is refused: {e:?}\n{written}"));
        assert_eq!(again, config, "written back:\n{written}");
    }
});
