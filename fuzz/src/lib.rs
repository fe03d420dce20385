//! Flick's fuzz targets: one function per kind of hostile input, each of which must return on any
//! bytes. A target panics only when Flick misbehaves: a panic inside Flick, or an invariant of the
//! player's state machine broken ([`harness`]).
//!
//! The same functions run three ways:
//!
//! - under libFuzzer, through the binaries in `fuzz_targets/` (`cargo xtask fuzz [SECONDS]` for a
//!   campaign, and a fixed number of executions per target in `cargo xtask test`);
//! - as plain tests (`cargo test -p flick-fuzz`), which replay the seeds, the crashes kept in
//!   `regressions/` and a deterministic set of mutated inputs ([`mutate`]);
//! - by hand: [`replay`] a file.
//!
//! | target | input |
//! | --- | --- |
//! | [`manifest`] | MPD bytes: parsed, then played when they parse |
//! | [`segment_index`] | `sidx` bytes (the first 16 choose the index's offset and time offset) |
//! | [`steering`] | the body of a content-steering server's answer, during a session |
//! | [`web_config`] | the browser build's configuration JSON, then a session under it |
//! | [`state_machine`] | a sequence of inputs and time steps ([`machine::Op`]) |
//!
//! ```
//! // Any bytes: a typed error or a presentation, never a panic.
//! flick_fuzz::manifest(b"<MPD><Period><AdaptationSet");
//! flick_fuzz::web_config(br#"{"maxBuffer": 12, "abr": "bola"}"#);
//! ```

pub mod content;
pub mod harness;
pub mod known;
pub mod machine;
pub mod mutate;
pub mod reader;

use content::Content;
use harness::Harness;
use std::time::Duration;

/// A fuzz target: returns on any bytes unless Flick misbehaves.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz_targets/` and `cargo xtask fuzz` call them.
pub const TARGETS: &[(&str, Target)] = &[
    ("manifest", manifest),
    ("segment_index", segment_index),
    ("steering", steering),
    ("web_config", web_config),
    ("state_machine", state_machine),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Run the target `name` on the bytes of the file at `path` (to reproduce a crash by hand).
pub fn replay(name: &str, path: &std::path::Path) -> std::io::Result<()> {
    let data = std::fs::read(path)?;
    let run = target(name).ok_or_else(|| std::io::Error::other(format!("no target {name}")))?;
    run(&data);
    Ok(())
}

/// Rounds of "answer every request, let time pass" a played input gets.
const ROUNDS: usize = 40;

/// `manifest::parse` returns a presentation or a typed error on any bytes; a manifest that parses
/// is then loaded by URL and played a few rounds on a network that answers everything, with the
/// harness's invariants checked after each step.
pub fn manifest(data: &[u8]) {
    let url = url::Url::parse(content::MANIFEST_URL).unwrap();
    if flick_player::manifest::parse(data, &url).is_err() {
        return;
    }
    let mut content = Content::standard();
    content.manifests = vec![(content::MANIFEST_URL.to_string(), data.to_vec())];
    let mut harness = Harness::new(flick_player::PlayerConfig::default(), "bola", content);
    harness.load(content::MANIFEST_URL);
    harness.run(ROUNDS);
}

/// `segments_from_sidx` (and its scaled form) return segments or a typed error on any bytes. The
/// first 16 bytes choose the index's offset in the file and the presentation time offset.
pub fn segment_index(data: &[u8]) {
    let (head, sidx) = data.split_at(data.len().min(16));
    let mut words = [0u8; 16];
    words[..head.len()].copy_from_slice(head);
    let index_start = u64::from_be_bytes(words[..8].try_into().unwrap());
    let offset = u64::from_be_bytes(words[8..].try_into().unwrap());
    let checked = |segments: Vec<flick_player::presentation::MediaSegment>| {
        for s in &segments {
            if let Some(r) = s.location.range {
                assert!(r.start <= r.end, "segment {} has the byte range {r:?}", s.number);
            }
        }
    };
    if let Ok(s) = flick_player::segment_index::segments_from_sidx(sidx, index_start, "", offset) {
        checked(s);
    }
    if let Ok(s) =
        flick_player::segment_index::segments_from_sidx_scaled(sidx, index_start, "", offset, 90_000)
    {
        checked(s);
    }
}

/// A session on a presentation with a content-steering server whose every answer is `data`:
/// the answer is parsed inside the core (its priority, TTL, reload URI and pathway clones then
/// shape the requests), so the target drives it through the public state machine.
pub fn steering(data: &[u8]) {
    let mut content = Content::standard();
    content.steering = data.to_vec();
    let mut harness = Harness::new(flick_player::PlayerConfig::default(), "bola", content);
    harness.load_presentation(content::steered_presentation());
    harness.run(ROUNDS);
}

/// The browser build's configuration reader on JSON text (`new Player(video, config)`,
/// `player.configure(config)`), then, when it yields a configuration, a session under it.
pub fn web_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = flick_wasm::config::WebConfig::from_json(text) else { return };
    let base = flick_wasm::config::WebConfig::default();
    let _ = base.merged(&config).player_config();
    let _ = config.merged(&config).player_config();
    let Ok(mut core) = config.player_config() else { return };
    // What `Player::load` in the browser adds.
    core.decoder_reports = Some(flick_player::DECODER_REPORTS);
    if flick_abr::by_name(config.abr_name()).is_err() {
        return;
    }
    let mut harness = Harness::new(core, config.abr_name(), Content::standard());
    harness.answer_decoder = true;
    harness.load_presentation(content::small_presentation(2));
    harness.run(ROUNDS);
    harness.advance(Duration::from_secs(60));
}

/// Arbitrary sequences of inputs and time steps (see [`machine::decode`]), with the harness's
/// invariants checked after every step.
pub fn state_machine(data: &[u8]) {
    machine::run(data);
}
