//! Every dynamic (live) MPD of the corpus in `tests/fixtures/live_mpds/` (issue 13) goes through
//! `flick_player::manifest::parse`. The corpus holds real live MPDs from the test material of
//! dash.js, Shaka Player, Media3 (ExoPlayer), livesim2 and from ffmpeg's own live DASH output; its
//! `README.md` says where each file comes from and what it exercises. Files that their source
//! suite treats as broken are kept apart in `invalid/` and not parsed here.
//!
//! The parser rejected every `type="dynamic"` MPD when this test was written, so it failed until
//! live support landed: it is the target of that work.

use core::time::Duration;
use flick_player::{FetchError, Input, Output, Player, PlayerConfig, PlayerState, RequestKind};
use std::path::{Path, PathBuf};
use url::Url;

/// The corpus folder.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live_mpds")
}

/// Every `.mpd` under `dir`, sorted, skipping the top-level `invalid/` folder.
fn mpd_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path == corpus_dir().join("invalid") {
                continue;
            }
            mpd_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "mpd") {
            out.push(path);
        }
    }
}

#[test]
fn every_live_mpd_of_the_corpus_parses() {
    let root = corpus_dir();
    let mut files = Vec::new();
    mpd_files(&root, &mut files);
    assert!(files.len() >= 20, "the corpus has only {} MPDs under {}", files.len(), root.display());

    let manifest_url = Url::parse("https://example.com/path/manifest.mpd").expect("a URL");
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        if let Err(e) = flick_player::manifest::parse(&bytes, &manifest_url) {
            let name = path.strip_prefix(&root).unwrap_or(path);
            failures.push(format!("{}: {e}", name.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} live MPDs failed to parse:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn the_invalid_folder_is_left_out() {
    let mut files = Vec::new();
    mpd_files(&corpus_dir(), &mut files);
    assert!(files.iter().all(|f| !f.starts_with(corpus_dir().join("invalid"))));
    assert!(corpus_dir().join("invalid").is_dir());
}

/// What a player does first with `bytes` as its manifest, the device clock at the publish time
/// (or an hour after the availability start), in up to two minutes of virtual time: the kinds of
/// the requests it makes up to its first media request, and its state.
fn first_moves(bytes: &[u8]) -> (Vec<RequestKind>, PlayerState) {
    let url = Url::parse("https://example.com/path/manifest.mpd").expect("a URL");
    let presentation = flick_player::manifest::parse(bytes, &url).expect("parsed above");
    // A few were caught after they turned static; any clock does for those.
    let unix = presentation.live.map_or(Duration::from_secs(1_800_000_000), |live| {
        live.publish_time.unwrap_or(live.availability_start + Duration::from_secs(3600))
    });
    let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("hedge").expect("hedge"));
    let now = Duration::ZERO;
    player.handle_input(now, Input::WallClock { unix });
    player.handle_input(now, Input::Load { url: url.to_string() });
    let mut kinds = Vec::new();
    let mut now = Duration::ZERO;
    // Two minutes of session time at most: a stream whose next segment comes later is waited for.
    let mut wake_ups_at_the_same_time = 0;
    while now < Duration::from_secs(120) && kinds.len() < 40 {
        let Some(output) = player.poll_output() else {
            match player.poll_timeout() {
                Some(t) => {
                    wake_ups_at_the_same_time = if t <= now { wake_ups_at_the_same_time + 1 } else { 0 };
                    assert!(
                        wake_ups_at_the_same_time < 1000,
                        "the player asks to be woken at {now:?} for ever"
                    );
                    now = t.max(now);
                    player.handle_timeout(now);
                    continue;
                }
                None => break,
            }
        };
        let Output::Fetch(request) = output else { continue };
        kinds.push(request.kind);
        if matches!(request.kind, RequestKind::Media | RequestKind::Init | RequestKind::Index) {
            break;
        }
        let id = request.id;
        match request.kind {
            // The first MPD and its refreshes: the same bytes (a stream that stopped changing).
            RequestKind::Manifest => {
                player.handle_input(
                    now,
                    Input::ResponseStarted { id, content_length: Some(bytes.len() as u64) },
                );
                player.handle_input(
                    now,
                    Input::Data { id, chunk: bytes::Bytes::copy_from_slice(bytes).into() },
                );
                player.handle_input(now, Input::Complete { id });
            }
            // No time server here: the clock stays the device's.
            _ => player.handle_input(now, Input::Failed { id, error: FetchError::Http(404) }),
        }
    }
    (kinds, player.state())
}

#[test]
fn every_live_mpd_of_the_corpus_starts_a_session_or_says_why_not() {
    let root = corpus_dir();
    let mut files = Vec::new();
    mpd_files(&root, &mut files);
    let mut silent = Vec::new();
    let (mut started, mut waiting, mut failed) = (0, 0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let name = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let (kinds, state) = std::panic::catch_unwind(|| first_moves(&bytes))
            .unwrap_or_else(|_| panic!("{name}: the session panicked"));
        let media =
            kinds.iter().any(|k| matches!(k, RequestKind::Media | RequestKind::Init | RequestKind::Index));
        // Waiting for a period that starts later (test material captured long ago, or made up),
        // or for an encoder's first segment, is not silence: the MPD is asked for again.
        let refreshing = kinds.iter().filter(|k| **k == RequestKind::Manifest).count() > 1;
        if media {
            started += 1;
        } else if state == PlayerState::Failed {
            failed += 1;
        } else if refreshing {
            waiting += 1;
        } else {
            silent.push(format!("{name}: {kinds:?} in state {state:?}"));
        }
    }
    eprintln!("{started} fetch media, {waiting} wait for a newer MPD, {failed} fail with a typed error");
    assert!(
        silent.is_empty(),
        "sessions that neither fetch media, wait for a newer MPD, nor fail:\n{}",
        silent.join("\n")
    );
    assert!(started * 10 >= files.len() * 8, "only {started} of {} live MPDs start", files.len());
}
