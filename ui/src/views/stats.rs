//! "Stats for nerds": resolution, bit rate, buffer, throughput estimate, ABR algorithm, CDN
//! location, dropped frames, recent events, and live graphs of throughput, bit rate and buffer.

use super::{History, Snapshot};
use egui::{Color32, Sense, Stroke, Ui, pos2, vec2};

/// Graph colours: throughput, bit rate, buffer.
const THROUGHPUT: Color32 = Color32::from_rgb(90, 170, 255);
const BITRATE: Color32 = Color32::from_rgb(255, 170, 60);
const BUFFER: Color32 = Color32::from_rgb(110, 220, 120);

/// Draw the panel's contents.
pub fn show(ui: &mut Ui, snapshot: &Snapshot, history: &History) {
    ui.heading("Stats for nerds");
    egui::Grid::new("stats-grid").num_columns(2).spacing([12.0, 2.0]).show(ui, |ui| {
        let mut row = |name: &str, value: String| {
            ui.label(name);
            ui.monospace(value);
            ui.end_row();
        };
        row("Resolution", snapshot.resolution.map_or("-".into(), |(w, h)| format!("{w}x{h}")));
        let rungs = snapshot.rungs.len();
        row(
            "Video bit rate",
            match (snapshot.rung, snapshot.bitrate_kbps()) {
                (Some(r), Some(kbps)) => format!("{kbps} kbit/s (rung {}/{rungs})", r + 1),
                _ => "-".into(),
            },
        );
        row("Buffer", format!("{:.1} s", snapshot.buffer.as_secs_f64()));
        row(
            "Throughput",
            snapshot.throughput_kbps.map_or("-".into(), |k| {
                if k >= 1000.0 { format!("{:.2} Mbit/s", k / 1000.0) } else { format!("{k:.0} kbit/s") }
            }),
        );
        row("ABR", format!("{}{}", snapshot.abr, if snapshot.pinned.is_some() { " (pinned)" } else { "" }));
        row(
            "CDN location",
            format!(
                "{} ({} switch{})",
                snapshot.location.as_deref().unwrap_or("-"),
                snapshot.location_changes,
                if snapshot.location_changes == 1 { "" } else { "es" }
            ),
        );
        if let Some(live) = &snapshot.live {
            row(
                "Live latency",
                format!(
                    "{:.1} s (target {:.1} s{})",
                    live.latency.as_secs_f64(),
                    live.target.as_secs_f64(),
                    if live.rate != 1.0 { format!(", {:.2}x", live.rate) } else { String::new() }
                ),
            );
            row(
                "DVR window",
                format!(
                    "{:.0} s{}",
                    (live.window.1 - live.window.0).as_secs_f64(),
                    if live.following { ", at the edge" } else { "" }
                ),
            );
        }
        row("Dropped frames", format!("{} / {}", snapshot.frames.1, snapshot.frames.0));
        row("State", snapshot.state.clone());
    });
    ui.add_space(6.0);
    graph(ui, "Throughput (kbit/s)", THROUGHPUT, history, |s| s.throughput_kbps);
    graph(ui, "Video bit rate (kbit/s)", BITRATE, history, |s| s.bitrate_kbps);
    graph(ui, "Buffer (s)", BUFFER, history, |s| s.buffer_s);
    if !snapshot.notes.is_empty() {
        ui.add_space(6.0);
        ui.label("Events");
        for note in &snapshot.notes {
            ui.small(note);
        }
    }
    if let Some(error) = &snapshot.error {
        ui.colored_label(Color32::LIGHT_RED, error);
    }
}

/// One line graph of the last minute, scaled to its maximum.
fn graph(ui: &mut Ui, title: &str, color: Color32, history: &History, value: impl Fn(&super::Sample) -> f64) {
    let samples: Vec<(f64, f64)> = history.samples().map(|s| (s.t, value(s))).collect();
    let max = samples.iter().map(|s| s.1).fold(0.0, f64::max);
    ui.label(format!("{title}: max {max:.0}"));
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), 50.0), Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 2.0, Color32::from_gray(25));
    let Some(&(last_t, _)) = samples.last() else { return };
    let top = if max > 0.0 { max * 1.1 } else { 1.0 };
    let point = |(t, v): (f64, f64)| {
        let x = rect.right() - ((last_t - t) / History::SPAN) as f32 * rect.width();
        let y = rect.bottom() - (v / top) as f32 * rect.height();
        pos2(x, y)
    };
    let points: Vec<_> = samples.iter().copied().map(point).collect();
    painter.add(egui::Shape::line(points, Stroke::new(1.5, color)));
}
