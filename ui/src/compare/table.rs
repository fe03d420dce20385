//! The comparison as a text table.

use super::stats::{CONFIDENCE, RESAMPLES, Row};

/// The table: a header saying what the columns mean, then one line per row.
pub fn render(rows: &[Row], baseline: &str, heading: &str) -> String {
    let mut out = format!("{heading}\n");
    out += &format!(
        "QoE_lin per chunk (mean and 10th percentile over sessions); % opt = Σ QoE_lin / Σ optimal QoE_lin \
         over the traces;\nΔ vs {baseline} = mean per-trace difference of QoE_lin, [{:.0}% CI: paired bootstrap \
         over traces, {RESAMPLES} resamples]\n",
        CONFIDENCE * 100.0
    );
    let delta = format!("Δ vs {baseline} [{:.0}% CI]", CONFIDENCE * 100.0);
    let width = rows.iter().map(|r| r.abr.chars().count()).max().unwrap_or(0).max(8);
    out += &format!(
        "{:<width$} {:>8} {:>8} {:>7} {:>12} {:>8} {:>10}  {}\n",
        "abr", "QoE mean", "QoE p10", "% opt", "bitrate kbps", "rebuf %", "switch/min", delta
    );
    for r in rows {
        let diff = if r.abr == baseline {
            "(baseline)".to_string()
        } else {
            format!("{:+.3} [{:+.3}, {:+.3}]", r.vs_baseline.mean, r.vs_baseline.low, r.vs_baseline.high)
        };
        let percent = if r.percent_of_optimal.is_finite() {
            format!("{:.1}", r.percent_of_optimal)
        } else {
            "n/a".to_string()
        };
        let failed =
            if r.failed_sessions > 0 { format!("  ({} failed)", r.failed_sessions) } else { String::new() };
        out += &format!(
            "{:<width$} {:>8.3} {:>8.3} {:>7} {:>12.0} {:>8.2} {:>10.2}  {diff}{failed}\n",
            r.abr,
            r.mean_qoe_lin,
            r.p10_qoe_lin,
            percent,
            r.mean_bitrate_kbps,
            r.rebuffer_ratio * 100.0,
            r.switches_per_min,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::stats::Interval;

    fn row(abr: &str, q: f64) -> Row {
        Row {
            abr: abr.into(),
            sessions: 2,
            mean_qoe_lin: q,
            p10_qoe_lin: q - 0.5,
            percent_of_optimal: 50.0,
            mean_bitrate_kbps: 1234.0,
            rebuffer_ratio: 0.01,
            switches_per_min: 1.5,
            failed_sessions: 0,
            vs_baseline: Interval { mean: 0.1, low: -0.05, high: 0.2 },
            qoe_lin: vec![q, q],
        }
    }

    #[test]
    fn one_line_per_row_with_the_baseline_marked() {
        let text = render(&[row("bba", 0.6), row("bola", 0.7)], "bba", "model pensieve");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "model pensieve");
        assert!(lines[3].starts_with("abr "));
        assert!(lines[4].starts_with("bba ") && lines[4].ends_with("(baseline)"), "{text}");
        assert!(lines[5].starts_with("bola ") && lines[5].contains("+0.100 [-0.050, +0.200]"), "{text}");
        assert!(lines[5].contains(" 0.700 ") && lines[5].contains(" 50.0 ") && lines[5].contains(" 1.00 "));
    }
}
