//! Screenshots of the window for tests: at given times after the first video frame is shown,
//! the window's pixels are saved as `shot-N.png` beside `layout.json` (where the video and the
//! statistics panel are, in pixels), then the window closes.

use egui::{ColorImage, Rect};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// If no frame shows up for this long, the screenshots are taken anyway (and will show why).
const GIVE_UP: Duration = Duration::from_secs(40);

/// When to take screenshots, and where to put them.
#[derive(Clone, Debug)]
pub struct ScreenshotPlan {
    /// Output folder.
    pub dir: PathBuf,
    /// Seconds after the first frame is shown.
    pub at: Vec<f64>,
}

/// A [`ScreenshotPlan`] under way.
pub struct Screenshots {
    plan: ScreenshotPlan,
    opened: Instant,
    first_frame: Option<Instant>,
    requested: usize,
    saved: Arc<AtomicUsize>,
}

impl Screenshots {
    /// Start following `plan`.
    pub fn new(plan: ScreenshotPlan) -> Self {
        Screenshots { plan, opened: Instant::now(), first_frame: None, requested: 0, saved: Arc::default() }
    }

    /// A video frame was shown now.
    pub fn frame_shown(&mut self) {
        self.first_frame.get_or_insert_with(Instant::now);
    }

    /// Once per repaint: request a screenshot when one is due (writing the layout beside it).
    /// Returns true once every screenshot is saved.
    pub fn tick(&mut self, ctx: &egui::Context, video: Rect, stats: Option<Rect>, controls: Rect) -> bool {
        let saved = self.saved.load(Ordering::SeqCst);
        if saved >= self.plan.at.len() {
            return true;
        }
        let since = match self.first_frame {
            Some(t) => t.elapsed(),
            None if self.opened.elapsed() > GIVE_UP => self.opened.elapsed().saturating_sub(GIVE_UP),
            None => return false,
        };
        if self.requested < self.plan.at.len() && since.as_secs_f64() >= self.plan.at[self.requested] {
            self.requested += 1;
            let n = self.requested;
            let scale = ctx.pixels_per_point();
            let _ = write_layout(&self.plan.dir, video, stats, controls, scale);
            let path = self.plan.dir.join(format!("shot-{n}.png"));
            let saved = self.saved.clone();
            let repaint = ctx.clone();
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::ScreenshotCallback::new(
                move |image: Arc<ColorImage>| {
                    if let Err(e) = save_png(&path, &image) {
                        eprintln!("flick: saving {}: {e}", path.display());
                    }
                    saved.fetch_add(1, Ordering::SeqCst);
                    repaint.request_repaint();
                },
            )));
        }
        false
    }
}

fn rect_json(rect: Rect, scale: f32) -> serde_json::Value {
    serde_json::json!([rect.min.x * scale, rect.min.y * scale, rect.max.x * scale, rect.max.y * scale])
}

fn write_layout(
    dir: &Path,
    video: Rect,
    stats: Option<Rect>,
    controls: Rect,
    scale: f32,
) -> std::io::Result<()> {
    let layout = serde_json::json!({
        "video": rect_json(video, scale),
        "stats": stats.map(|r| rect_json(r, scale)),
        "controls": rect_json(controls, scale),
    });
    std::fs::write(dir.join("layout.json"), layout.to_string())
}

/// Save an egui screenshot as an RGBA PNG.
fn save_png(path: &Path, image: &ColorImage) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let [width, height] = image.size;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|p| p.to_array()).collect();
    writer.write_image_data(&bytes).map_err(|e| e.to_string())
}
