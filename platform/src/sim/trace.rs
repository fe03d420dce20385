//! Bandwidth traces: Pensieve text, Sabre JSON and Mahimahi packet traces.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One period of constant network conditions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TracePeriod {
    /// How long it lasts, in milliseconds.
    pub duration_ms: f64,
    /// Bandwidth in kbit/s (bits per millisecond).
    pub kbps: f64,
    /// Round-trip latency in milliseconds, when the trace gives one.
    pub latency_ms: Option<f64>,
}

/// A bandwidth trace; it loops when exhausted.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// File name (without directories).
    pub name: String,
    /// Periods in order.
    pub periods: Vec<TracePeriod>,
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        cause: std::io::Error,
    },
    /// The file is not a trace in any known format.
    #[error("{path}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct SabrePeriod {
    duration_ms: f64,
    bandwidth_kbps: f64,
    latency_ms: f64,
}

impl Trace {
    /// Read a trace, recognising its format from its content.
    pub fn load(path: &Path) -> Result<Trace, TraceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|cause| TraceError::Io { path: path.to_path_buf(), cause })?;
        let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let format_error = |message: String| TraceError::Format { path: path.to_path_buf(), message };
        let periods = if text.trim_start().starts_with('[') {
            parse_sabre(&text).map_err(format_error)?
        } else if is_mahimahi(&text) {
            parse_mahimahi(&text).map_err(format_error)?
        } else {
            parse_pensieve(&text).map_err(format_error)?
        };
        if periods.is_empty() || periods.iter().all(|p| p.duration_ms <= 0.0) {
            return Err(TraceError::Format { path: path.to_path_buf(), message: "no periods".into() });
        }
        Ok(Trace { name, periods })
    }

    /// Every trace in `path` (a file, or the files of a folder, sorted by name).
    pub fn load_all(path: &Path) -> Result<Vec<Trace>, TraceError> {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|cause| TraceError::Io { path: path.to_path_buf(), cause })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            files.iter().map(|f| Trace::load(f)).collect()
        } else {
            Ok(vec![Trace::load(path)?])
        }
    }

    /// Mean bandwidth over one loop, in kbit/s.
    pub fn mean_kbps(&self) -> f64 {
        let total: f64 = self.periods.iter().map(|p| p.duration_ms).sum();
        self.periods.iter().map(|p| p.kbps * p.duration_ms).sum::<f64>() / total.max(f64::MIN_POSITIVE)
    }
}

fn parse_sabre(text: &str) -> Result<Vec<TracePeriod>, String> {
    let raw: Vec<SabrePeriod> = serde_json::from_str(text).map_err(|e| format!("Sabre JSON trace: {e}"))?;
    raw.iter()
        .map(|p| {
            if p.duration_ms < 0.0 || p.bandwidth_kbps < 0.0 || p.latency_ms < 0.0 {
                return Err("negative duration, bandwidth or latency".to_string());
            }
            Ok(TracePeriod {
                duration_ms: p.duration_ms,
                kbps: p.bandwidth_kbps,
                latency_ms: Some(p.latency_ms),
            })
        })
        .collect()
}

/// Pensieve text: `time_s bandwidth_mbps` per line; line i's bandwidth holds over (t[i-1], t[i]].
fn parse_pensieve(text: &str) -> Result<Vec<TracePeriod>, String> {
    let mut samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let (Some(t), Some(b)) = (fields.next(), fields.next()) else { continue };
        let t: f64 = t.parse().map_err(|_| format!("line {}: bad time {t:?}", n + 1))?;
        let b: f64 = b.parse().map_err(|_| format!("line {}: bad bandwidth {b:?}", n + 1))?;
        if !(t.is_finite() && b.is_finite()) || b < 0.0 {
            return Err(format!("line {}: bad sample", n + 1));
        }
        samples.push((t, b));
    }
    if samples.len() < 2 {
        return Err("a Pensieve trace needs at least two lines".into());
    }
    samples
        .windows(2)
        .map(|w| {
            let d = (w[1].0 - w[0].0) * 1000.0;
            if d < 0.0 {
                return Err(format!("time goes backwards at {}", w[1].0));
            }
            Ok(TracePeriod { duration_ms: d, kbps: w[1].1 * 1000.0, latency_ms: None })
        })
        .collect()
}

fn is_mahimahi(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    lines.clone().take(3).count() >= 1 && lines.all(|l| l.trim().parse::<u64>().is_ok())
}

/// Mahimahi: one line per 1500-byte packet delivery opportunity, in milliseconds; turned into
/// 100 ms periods.
fn parse_mahimahi(text: &str) -> Result<Vec<TracePeriod>, String> {
    const BIN_MS: u64 = 100;
    let stamps: Vec<u64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    let last = *stamps.last().ok_or("empty Mahimahi trace")?;
    let bins = (last / BIN_MS + 1) as usize;
    if bins > 100_000_000 {
        return Err("Mahimahi trace too long".into());
    }
    let mut counts = vec![0u64; bins];
    for s in stamps {
        counts[(s / BIN_MS) as usize] += 1;
    }
    Ok(counts
        .into_iter()
        .map(|c| TracePeriod {
            duration_ms: BIN_MS as f64,
            kbps: (c * 1500 * 8) as f64 / BIN_MS as f64,
            latency_ms: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pensieve_lines_become_periods_ending_at_each_timestamp() {
        let p = parse_pensieve("0.0\t1.0\n0.5\t2.0\n1.5\t4.0\n").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0], TracePeriod { duration_ms: 500.0, kbps: 2000.0, latency_ms: None });
        assert_eq!(p[1].duration_ms, 1000.0);
    }

    #[test]
    fn mahimahi_packets_are_binned() {
        let text = "0\n1\n50\n150\n";
        assert!(is_mahimahi(text));
        let p = parse_mahimahi(text).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].kbps, 3.0 * 12000.0 / 100.0);
    }

    #[test]
    fn bad_traces_are_typed_errors() {
        assert!(parse_pensieve("0 1\n").is_err());
        assert!(parse_pensieve("0 1\nx 2\n").is_err());
        assert!(parse_sabre("[{\"duration_ms\": -1, \"bandwidth_kbps\": 1, \"latency_ms\": 1}]").is_err());
    }
}
