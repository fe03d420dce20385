//! The video surface: the current frame's texture scaled to fit, aspect ratio kept, black
//! bars around it.

use egui::{Color32, Rect, TextureId, Ui, pos2, vec2};

/// Where a `width`×`height` picture goes inside `area`: as large as fits, centred.
pub fn fit(area: Rect, width: u32, height: u32) -> Rect {
    if width == 0 || height == 0 || area.width() <= 0.0 || area.height() <= 0.0 {
        return Rect::from_center_size(area.center(), vec2(0.0, 0.0));
    }
    let scale = (area.width() / width as f32).min(area.height() / height as f32);
    Rect::from_center_size(area.center(), vec2(width as f32 * scale, height as f32 * scale))
}

/// Fill the space left in `ui` with the picture (or black, with `message` when there is none).
/// Returns the rectangle the picture covers.
pub fn show(ui: &mut Ui, texture: Option<(TextureId, u32, u32)>, message: &str) -> Rect {
    let area = ui.available_rect_before_wrap();
    ui.painter().rect_filled(area, 0.0, Color32::BLACK);
    let shown = match texture {
        Some((id, width, height)) => {
            let rect = fit(area, width, height);
            let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
            ui.painter().image(id, rect, uv, Color32::WHITE);
            rect
        }
        None => {
            ui.painter().text(
                area.center(),
                egui::Align2::CENTER_CENTER,
                message,
                egui::FontId::proportional(18.0),
                Color32::GRAY,
            );
            area
        }
    };
    ui.allocate_rect(area, egui::Sense::hover());
    shown
}

#[cfg(test)]
mod tests {
    use super::fit;
    use egui::{Rect, pos2};

    #[test]
    fn pictures_keep_their_shape() {
        let area = Rect::from_min_max(pos2(0.0, 0.0), pos2(800.0, 800.0));
        let r = fit(area, 1920, 1080);
        assert_eq!((r.width(), r.height()), (800.0, 450.0));
        assert_eq!(r.center(), area.center());
        let tall = fit(Rect::from_min_max(pos2(0.0, 0.0), pos2(1600.0, 450.0)), 1920, 1080);
        assert_eq!((tall.width(), tall.height()), (800.0, 450.0));
    }
}
