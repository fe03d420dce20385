//! The control bar: play/pause, the seek bar with the buffered range (over the DVR window for a
//! live stream, with a LIVE badge and a "Go live" button), time, volume, the quality
//! menu ("auto" and each rung), the audio menu (when there is a choice), statistics and full
//! screen. (No subtitle menu: the native pipeline does not render text tracks yet.)

use super::{Action, Snapshot, ViewState, clock};
use egui::{Color32, Rect, Sense, Stroke, Ui, pos2, vec2};
use std::time::Duration;

/// Height of the seek bar's track.
const TRACK: f32 = 6.0;

/// Draw the bar; returns what the viewer asked for.
pub fn show(ui: &mut Ui, snapshot: &Snapshot, state: &ViewState) -> Vec<Action> {
    let mut actions = Vec::new();
    seek_bar(ui, snapshot, &mut actions);
    ui.horizontal(|ui| {
        let label = if snapshot.playing { "Pause" } else { "Play" };
        if ui.button(label).on_hover_text("Play/pause (space)").clicked() {
            actions.push(Action::TogglePlay);
        }
        if let Some(live) = &snapshot.live {
            live_badge(ui, live, &mut actions);
        } else {
            let total = snapshot.duration.map_or_else(|| "--:--".to_string(), clock);
            ui.monospace(format!("{} / {total}", clock(snapshot.position)));
        }
        ui.separator();
        let speaker = if state.muted { "Unmute" } else { "Mute" };
        if ui.button(speaker).on_hover_text("Mute (m)").clicked() {
            actions.push(Action::ToggleMute);
        }
        let mut volume = state.volume;
        if ui.add(egui::Slider::new(&mut volume, 0.0..=1.0).show_value(false)).changed() {
            actions.push(Action::SetVolume(volume));
        }
        ui.separator();
        quality_menu(ui, snapshot, &mut actions);
        if snapshot.audio_tracks.len() > 1 {
            audio_menu(ui, snapshot, &mut actions);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Full screen").on_hover_text("Full screen (f)").clicked() {
                actions.push(Action::ToggleFullscreen);
            }
            if ui.selectable_label(state.stats, "Stats").on_hover_text("Stats for nerds (s)").clicked() {
                actions.push(Action::ToggleStats);
            }
            ui.label(&snapshot.state);
        });
    });
    actions
}

fn rung_name(snapshot: &Snapshot, i: usize) -> String {
    let rung = &snapshot.rungs[i];
    match rung.height {
        Some(h) => format!("{h}p ({} kbit/s)", rung.bitrate_kbps),
        None => format!("{} kbit/s", rung.bitrate_kbps),
    }
}

fn quality_menu(ui: &mut Ui, snapshot: &Snapshot, actions: &mut Vec<Action>) {
    let current = match (snapshot.pinned, snapshot.rung) {
        (Some(p), _) if p < snapshot.rungs.len() => rung_name(snapshot, p),
        (None, Some(r)) if r < snapshot.rungs.len() => {
            format!("Auto ({})", snapshot.rungs[r].height.map_or("?".into(), |h| format!("{h}p")))
        }
        _ => "Auto".to_string(),
    };
    ui.menu_button(format!("Quality: {current}"), |ui| {
        if ui.selectable_label(snapshot.pinned.is_none(), "Auto").clicked() {
            actions.push(Action::SetQuality(None));
            ui.close();
        }
        for i in (0..snapshot.rungs.len()).rev() {
            if ui.selectable_label(snapshot.pinned == Some(i), rung_name(snapshot, i)).clicked() {
                actions.push(Action::SetQuality(Some(i)));
                ui.close();
            }
        }
    });
}

fn language(name: &Option<String>, i: usize) -> String {
    name.clone().unwrap_or_else(|| format!("Track {}", i + 1))
}

fn audio_menu(ui: &mut Ui, snapshot: &Snapshot, actions: &mut Vec<Action>) {
    let current = snapshot
        .audio_track
        .map_or("?".to_string(), |i| language(snapshot.audio_tracks.get(i).unwrap_or(&None), i));
    ui.menu_button(format!("Audio: {current}"), |ui| {
        for (i, name) in snapshot.audio_tracks.iter().enumerate() {
            if ui.selectable_label(snapshot.audio_track == Some(i), language(name, i)).clicked() {
                actions.push(Action::SelectAudio(i));
                ui.close();
            }
        }
    });
}

/// LIVE (red while following the edge) or how far behind it, and the way back.
fn live_badge(ui: &mut Ui, live: &super::LiveView, actions: &mut Vec<Action>) {
    let red = Color32::from_rgb(230, 60, 60);
    if live.following {
        ui.colored_label(red, "● LIVE").on_hover_text(format!(
            "{:.1} s behind the live edge (target {:.1} s)",
            live.latency.as_secs_f64(),
            live.target.as_secs_f64()
        ));
    } else {
        ui.colored_label(Color32::from_gray(160), "● LIVE");
        ui.monospace(format!("-{}", clock(live.latency)));
    }
    if ui
        .add_enabled(!live.following, egui::Button::new("Go live"))
        .on_hover_text("Back to the live edge (l)")
        .clicked()
    {
        actions.push(Action::GoLive);
    }
}

/// The timeline: played part, buffered ranges, the handle; a click or drag seeks. A live
/// stream's timeline is its DVR window, the live edge at the right.
fn seek_bar(ui: &mut Ui, snapshot: &Snapshot, actions: &mut Vec<Action>) {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(vec2(width, 16.0), Sense::click_and_drag());
    let (origin, total) = match (&snapshot.live, snapshot.duration) {
        (Some(live), _) => (live.window.0, live.window.1.saturating_sub(live.window.0)),
        (None, Some(total)) => (Duration::ZERO, total),
        (None, None) => (Duration::ZERO, Duration::ZERO),
    };
    if total.is_zero() {
        ui.painter().rect_filled(track_rect(rect, 0.0, 1.0), 2.0, Color32::from_gray(60));
        return;
    }
    let frac =
        |d: Duration| (d.saturating_sub(origin).as_secs_f64() / total.as_secs_f64()).clamp(0.0, 1.0) as f32;
    let painter = ui.painter();
    painter.rect_filled(track_rect(rect, 0.0, 1.0), 2.0, Color32::from_gray(60));
    for (start, end) in &snapshot.buffered {
        painter.rect_filled(track_rect(rect, frac(*start), frac(*end)), 2.0, Color32::from_gray(140));
    }
    let played = frac(snapshot.position);
    let accent = Color32::from_rgb(230, 60, 60);
    painter.rect_filled(track_rect(rect, 0.0, played), 2.0, accent);
    let x = rect.left() + played * rect.width();
    painter.circle(pos2(x, rect.center().y), 6.0, accent, Stroke::new(1.0, Color32::WHITE));
    if let Some(pointer) = response.interact_pointer_pos()
        && (response.clicked() || response.drag_stopped())
    {
        let f = ((pointer.x - rect.left()) / rect.width()).clamp(0.0, 1.0) as f64;
        actions.push(Action::Seek(origin + Duration::from_secs_f64(f * total.as_secs_f64())));
    }
    if let Some(hover) = response.hover_pos() {
        let f = ((hover.x - rect.left()) / rect.width()).clamp(0.0, 1.0) as f64;
        let at = Duration::from_secs_f64(f * total.as_secs_f64());
        let text = match snapshot.live {
            Some(_) => format!("-{}", clock(total.saturating_sub(at))),
            None => clock(at),
        };
        response.on_hover_text(text);
    }
}

fn track_rect(rect: Rect, from: f32, to: f32) -> Rect {
    let y = rect.center().y;
    Rect::from_min_max(
        pos2(rect.left() + from * rect.width(), y - TRACK / 2.0),
        pos2(rect.left() + to * rect.width(), y + TRACK / 2.0),
    )
}
