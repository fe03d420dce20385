//! Keyboard shortcuts: space play/pause, ←/→ seek 5 s, ↑/↓ volume, f full screen, m mute,
//! s statistics, l back to the live edge.

use super::{Action, ViewState};
use egui::{Context, Key};

/// Seconds an arrow key seeks.
pub const SEEK_STEP: f64 = 5.0;

/// The actions of the keys pressed this frame (none while a text field has focus).
pub fn shortcuts(ctx: &Context, state: &ViewState) -> Vec<Action> {
    if ctx.egui_wants_keyboard_input() {
        return Vec::new();
    }
    ctx.input(|input| {
        let mut actions = Vec::new();
        for (key, action) in [
            (Key::Space, Action::TogglePlay),
            (Key::ArrowLeft, Action::SeekBy(-SEEK_STEP)),
            (Key::ArrowRight, Action::SeekBy(SEEK_STEP)),
            (Key::ArrowUp, Action::SetVolume((state.volume + 0.1).min(1.0))),
            (Key::ArrowDown, Action::SetVolume((state.volume - 0.1).max(0.0))),
            (Key::F, Action::ToggleFullscreen),
            (Key::M, Action::ToggleMute),
            (Key::S, Action::ToggleStats),
            (Key::L, Action::GoLive),
        ] {
            if input.key_pressed(key) {
                actions.push(action);
            }
        }
        actions
    })
}
