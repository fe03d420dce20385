//! Open bugs the targets step around, so that a campaign looks for new ones instead of finding
//! these again at every run. Each has an ignored regression test in the crate it belongs to
//! (`player/tests/fuzz_regressions.rs`) and its crash input in `regressions/TARGET/`; when it is
//! fixed, delete its entry here and un-ignore the tests.

/// Issue 12: a second `Load`/`LoadPresentation` keeps the first presentation's requests in
/// flight, and a `Seek` (or their answers) then indexes the new presentation's tracks with the
/// old track numbers: `index out of bounds` at `player/src/player/status.rs:64`
/// (`record_request`, from `seek`, `player/src/player/playback.rs:173`). While `true`, the
/// `state_machine` target plays only the first load of each input.
pub const RELOAD_KEEPS_OLD_REQUESTS: bool = true;

/// Issue 12: when requests time out together in one late wake-up and the first failure gives
/// the session up, `fail()` cancels every request and the loop over the expired ones
/// (`player/src/player/scheduler.rs:364`) then cancels the remaining ones a second time. While
/// `true`, the harness lets a request already cancelled be cancelled again.
pub const DOUBLE_CANCEL_ON_GIVE_UP: bool = true;

/// Issue 12: an announced `Content-Length` near `u64::MAX` overflows `Bytes::bits`
/// (`abr/src/units.rs:69`, "attempt to multiply with overflow", from the abandonment check of
/// `abr/src/throughput.rs:108` through `player/src/player/requests.rs:215`); in a release build it
/// wraps and the abandonment decision is made on nonsense. While open, the `state_machine` target
/// announces at most 2^40 bytes.
pub fn content_length(announced: u64) -> u64 {
    announced.min(1 << 40)
}

/// Issue 12: a steering answer whose `TTL` is finite, positive and above `u64::MAX` seconds
/// (`{"VERSION":1,"TTL":1e20}`) panics in `Duration::from_secs_f64`
/// (`player/src/failover/steering.rs:142`: "cannot convert float seconds to Duration"). Whether
/// `data` is such an answer (the `steering` target then skips it).
pub fn huge_steering_ttl(data: &[u8]) -> bool {
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(data) else { return false };
    answer
        .get("TTL")
        .and_then(serde_json::Value::as_f64)
        .is_some_and(|ttl| ttl.is_finite() && ttl >= u64::MAX as f64)
}

/// Issue 12: `maxBuffer` or `startThreshold` above `u64::MAX` seconds (`{"maxBuffer":1e20}`)
/// panics in `Duration::from_secs_f64` (`wasm/src/config.rs:76`) instead of being a typed error.
/// Whether `config` has such a value (the `web_config` target then skips it).
pub fn huge_web_seconds(config: &flick_wasm::config::WebConfig) -> bool {
    [config.max_buffer, config.start_threshold]
        .into_iter()
        .flatten()
        .any(|s| s.is_finite() && s >= u64::MAX as f64)
}
