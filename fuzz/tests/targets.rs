//! Every fuzz target, bounded and deterministic: its seeds (`seeds/TARGET/`), the crashes kept in
//! `regressions/TARGET/` (but those of open bugs, which have their own ignored tests below) and a
//! fixed set of mutated inputs (`flick_fuzz::mutate`). The coverage-guided runs are libFuzzer's
//! (`cargo xtask fuzz`, and a short one in `cargo xtask test`).
//!
//! A failing input is written to `$CARGO_TARGET_TMPDIR/TARGET-crash-N` for
//! `flick_fuzz::replay` or the libFuzzer binary.

use std::path::{Path, PathBuf};

/// Mutated inputs per target: enough to shake out shallow bugs, a few seconds in a debug build.
const MUTATIONS: usize = if cfg!(debug_assertions) { 2_000 } else { 20_000 };

/// Crash inputs of bugs that are still open (`flick_fuzz::known`): (target, file in
/// `regressions/TARGET/`). Each would have an ignored test below; the bounded runs skip them.
/// None is open: every kept crash runs with the others.
const OPEN: &[(&str, &str)] = &[];

#[test]
fn reload_then_seek() {
    let input = std::fs::read(dir("regressions", "state_machine").join("reload-then-seek")).unwrap();
    let (config, abr, ops) = flick_fuzz::machine::decode_all(&input);
    let mut h = flick_fuzz::harness::Harness::new(config, abr, flick_fuzz::content::Content::standard());
    for op in ops {
        flick_fuzz::machine::apply(&mut h, op);
    }
}

#[test]
fn huge_steering_ttl() {
    let input = std::fs::read(dir("regressions", "steering").join("huge-ttl.json")).unwrap();
    let mut content = flick_fuzz::content::Content::standard();
    content.steering = input;
    let mut h = flick_fuzz::harness::Harness::new(flick_player::PlayerConfig::default(), "bola", content);
    h.load_presentation(flick_fuzz::content::steered_presentation());
    h.run(40);
}

fn dir(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(kind).join(target)
}

/// The files of `regressions/` or `seeds/` of `target`, sorted by name.
fn files(kind: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir(kind, target)) else { return Vec::new() };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// Run `target` on `input`; on a panic, keep the input and panic naming it.
fn run_kept(target: &str, label: &str, input: &[u8]) {
    let run = flick_fuzz::target(target).unwrap();
    if std::panic::catch_unwind(|| run(input)).is_err() {
        let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{target}-crash-{label}"));
        std::fs::write(&kept, input).unwrap();
        panic!("{target} failed on {label}; the input is in {}", kept.display());
    }
}

fn bounded(target: &str) {
    let seeds: Vec<Vec<u8>> = files("seeds", target).into_iter().map(|(_, d)| d).collect();
    assert!(!seeds.is_empty(), "seeds/{target}/ is empty");
    for (i, seed) in seeds.iter().enumerate() {
        run_kept(target, &format!("seed{i}"), seed);
    }
    for (name, input) in files("regressions", target) {
        if !OPEN.contains(&(target, name.as_str())) {
            run_kept(target, &name, &input);
        }
    }
    let salt = target.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    for (i, input) in flick_fuzz::mutate::inputs(salt, &seeds, MUTATIONS).iter().enumerate() {
        run_kept(target, &i.to_string(), input);
    }
}

#[test]
fn manifest() {
    bounded("manifest");
}

#[test]
fn segment_index() {
    bounded("segment_index");
}

#[test]
fn steering() {
    bounded("steering");
}

#[test]
fn web_config() {
    bounded("web_config");
}

#[test]
fn state_machine() {
    bounded("state_machine");
}

#[test]
fn every_target_has_a_libfuzzer_binary_and_seeds() {
    for (name, _) in flick_fuzz::TARGETS {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz_targets").join(format!("{name}.rs"));
        assert!(bin.is_file(), "{}", bin.display());
        assert!(!files("seeds", name).is_empty(), "seeds/{name}");
    }
}

/// Writes the seeds made from the built-in content (`cargo test -p flick-fuzz --test targets --
/// --ignored write_seeds`); the others are written by hand.
#[test]
#[ignore = "writes seeds/: run by hand when the built-in content changes"]
fn write_seeds() {
    use flick_fuzz::content;
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = dir("seeds", target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    write("manifest", "template.mpd", content::template_mpd(false).as_bytes());
    write("manifest", "steered.mpd", content::template_mpd(true).as_bytes());
    write("manifest", "segment-base.mpd", content::segment_base_mpd().as_bytes());
    let mut head = vec![0u8; 16];
    head[7] = 100;
    write("segment_index", "sidx-at-100", &[head.clone(), content::sidx()].concat());
    head[15] = 200;
    write("segment_index", "sidx-with-offset", &[head, content::sidx()].concat());
    write("steering", "answer.json", content::STEERING_ANSWER.as_bytes());
    let core = serde_json::to_string(&flick_player::PlayerConfig::default()).unwrap();
    write("web_config", "core-default.json", format!(r#"{{"abr":"hedge","core":{core}}}"#).as_bytes());
}
