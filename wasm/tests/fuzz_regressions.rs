//! Crashes the fuzz targets found in the configuration reader (issue 12, `fuzz/`): each failed
//! before its fix.

use flick_wasm::config::WebConfig;

/// Fuzz input `fuzz/regressions/web_config/huge-max-buffer.json`: a number of seconds that no
/// `Duration` holds must be a typed error, not a panic.
#[test]
fn seconds_beyond_any_duration_are_an_error() {
    for key in ["maxBuffer", "startThreshold"] {
        let config = WebConfig::from_json(&format!(r#"{{"{key}": 1e20}}"#)).unwrap();
        assert!(config.player_config().is_err(), "{key}");
    }
}
