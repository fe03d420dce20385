//! `flick compare` end to end: the built binary on five real traces, with charts.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data");
    assert!(dir.is_dir(), "the shared data folder is missing at {}", dir.display());
    dir
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flick-compare-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first five `pensieve-test` traces, copied into `dir/traces`; their names.
fn five_traces(dir: &Path) -> Vec<String> {
    let source = shared().join("traces/pensieve-test");
    let mut names: Vec<String> = std::fs::read_dir(&source)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.truncate(5);
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    for name in &names {
        std::fs::copy(source.join(name), dir.join("traces").join(name)).unwrap();
    }
    names
}

const ALGORITHMS: [&str; 4] = ["bba", "bola", "throughput", "robust-mpc"];

#[test]
fn compare_prints_the_table_writes_json_and_draws_the_charts() {
    let dir = scratch("full");
    let traces = five_traces(&dir);
    let plots = dir.join("plots");
    let out = Command::new(env!("CARGO_BIN_EXE_flick"))
        .arg("compare")
        .arg("--traces")
        .arg(dir.join("traces"))
        .arg("--ladder")
        .arg(shared().join("ladders/envivio"))
        .args(["--model", "pensieve", "--abr", &ALGORITHMS.join(","), "--json", "-", "--plot"])
        .arg(&plots)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);

    // The table goes to stderr when stdout carries the JSON: one row per algorithm, then optimal.
    let lines: Vec<&str> = stderr.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("abr ")).expect("a table header");
    assert!(lines[header].contains("% opt") && lines[header].contains("Δ vs bba"), "{stderr}");
    for (i, name) in ALGORITHMS.iter().chain(["optimal"].iter()).enumerate() {
        let row = lines[header + 1 + i];
        assert!(row.starts_with(&format!("{name} ")), "row {i}: {row}\n{stderr}");
    }
    assert!(lines[header + 1].ends_with("(baseline)"));
    assert!(lines[header + 5].contains("100.0"), "optimal is 100 % of itself: {stderr}");

    // The JSON: every row with its figures; the optimum of each trace at least every algorithm's.
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON document");
    assert_eq!(doc["model"], "pensieve");
    assert_eq!(doc["baseline"], "bba");
    assert_eq!(doc["traces"].as_array().unwrap().len(), 5);
    assert_eq!(doc["definitions"]["bootstrap_resamples"], 2000);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    for field in [
        "mean_qoe_lin",
        "p10_qoe_lin",
        "percent_of_optimal",
        "mean_bitrate_kbps",
        "rebuffer_ratio",
        "switches_per_min",
    ] {
        assert!(rows.iter().all(|r| r[field].is_f64()), "{field}");
    }
    for r in rows {
        let ci = &r["vs_baseline"];
        let (mean, low, high) =
            (ci["mean"].as_f64().unwrap(), ci["low"].as_f64().unwrap(), ci["high"].as_f64().unwrap());
        assert!(low <= mean + 1e-12 && mean <= high + 1e-12, "{r}");
    }
    let optimal: Vec<f64> =
        rows[4]["qoe_lin"].as_array().unwrap().iter().map(|q| q.as_f64().unwrap()).collect();
    assert_eq!(rows[4]["abr"], "optimal");
    for r in &rows[..4] {
        let qoe = r["qoe_lin"].as_array().unwrap();
        assert_eq!(qoe.len(), 5);
        for (t, (q, best)) in qoe.iter().zip(&optimal).enumerate() {
            // Tolerance: float rounding between the optimum's arithmetic and the simulator's clock.
            assert!(
                *best >= q.as_f64().unwrap() - 1e-6,
                "{} on {}: {q} > optimum {best}",
                r["abr"],
                traces[t]
            );
        }
        assert!(r["percent_of_optimal"].as_f64().unwrap() <= 100.0 + 1e-9);
    }
    let optimum = doc["optimum"].as_array().unwrap();
    assert_eq!(optimum.len(), 5);
    for (o, name) in optimum.iter().zip(&traces) {
        assert_eq!(&o["trace"], name);
        assert_eq!(o["rungs"].as_array().unwrap().len(), 48);
        assert_eq!(o["rungs"][0], 1, "Pensieve's first chunk is at rung 1");
        assert!(o["achieved_qoe_lin"].as_f64().unwrap() <= o["qoe_lin"].as_f64().unwrap() + 1e-6);
    }
    assert_eq!(doc["algorithms"].as_array().unwrap().len(), 4);

    // The charts: SVG and PNG of the CDF and of the first trace's timelines.
    for stem in ["qoe-cdf".to_string(), format!("timeline-{}", traces[0])] {
        let png = std::fs::read(plots.join(format!("{stem}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{stem}.png is a PNG");
        assert!(png.len() > 20_000, "{stem}.png: {} bytes", png.len());
        let svg = std::fs::read_to_string(plots.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{stem}.svg");
        assert!(svg.len() > 10_000 && svg.contains("optimal"), "{stem}.svg: {} bytes", svg.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_baseline_outside_the_list_is_bad_usage() {
    let dir = scratch("usage");
    five_traces(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_flick"))
        .arg("compare")
        .arg("--traces")
        .arg(dir.join("traces"))
        .arg("--ladder")
        .arg(shared().join("ladders/envivio"))
        .args(["--abr", "bba,bola", "--baseline", "robust-mpc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--baseline robust-mpc"));
    let _ = std::fs::remove_dir_all(&dir);
}
