//! Crashes the fuzz targets found in the configuration reader (issue 12, `fuzz/`). The ignored
//! ones are open bugs: un-ignore a test when its bug is fixed (and drop its entry in
//! `fuzz/src/known.rs`).

use flick_wasm::config::WebConfig;

/// Fuzz input `fuzz/regressions/web_config/huge-max-buffer.json`: a number of seconds that no
/// `Duration` holds must be a typed error, not a panic.
#[test]
#[ignore = "issue 12: Duration::from_secs_f64 panics at wasm/src/config.rs:76 (maxBuffer 1e20)"]
fn seconds_beyond_any_duration_are_an_error() {
    for key in ["maxBuffer", "startThreshold"] {
        let config = WebConfig::from_json(&format!(r#"{{"{key}": 1e20}}"#)).unwrap();
        assert!(config.player_config().is_err(), "{key}");
    }
}
