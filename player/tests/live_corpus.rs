//! Every dynamic (live) MPD of the corpus in `tests/fixtures/live_mpds/` (issue 13) goes through
//! `flick_player::manifest::parse`. The corpus holds real live MPDs from the test material of
//! dash.js, Shaka Player, Media3 (ExoPlayer), livesim2 and from ffmpeg's own live DASH output; its
//! `README.md` says where each file comes from and what it exercises. Files that their source
//! suite treats as broken are kept apart in `invalid/` and not parsed here.
//!
//! The parser rejected every `type="dynamic"` MPD when this test was written, so it failed until
//! live support landed: it is the target of that work.

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
