//! The network of the failover scenarios: Flick's test CDN with two locations (`a`, `b`), each
//! shaped to 4 Mbit/s with 40 ms of latency, and sessions of the native headless driver on it.

use flick_native::{HeadlessOptions, play_headless};
use flick_player::{PlayerConfig, SessionReport};
use flick_serve::{ServeConfig, TestCdn};
use std::path::PathBuf;
use std::time::Duration;

/// `dir` served by two locations at 4 Mbit/s and 40 ms (faults, live mode and the rest at
/// their defaults, for the caller to set).
pub fn two_locations(dir: PathBuf) -> ServeConfig {
    let mut config = ServeConfig::new(dir);
    config.cdns = 2;
    config.rate_kbps = Some(4000);
    config.latency_ms = 40;
    config
}

/// Start a CDN with `config`, play its manifest for `duration` with `hedge` and the default
/// player configuration (natively, headless, no status line), shut the CDN down.
pub async fn session(config: ServeConfig, duration: Duration) -> SessionReport {
    let cdn = TestCdn::start(config).await.expect("the test CDN starts");
    let options = HeadlessOptions {
        abr: "hedge".into(),
        player: PlayerConfig::default(),
        duration: Some(duration),
        status: std::env::var_os("FLICK_E2E_STATUS").is_some(),
    };
    let report = play_headless(&cdn.manifest_url(), options).await.expect("the session runs");
    cdn.shutdown().await;
    report
}
