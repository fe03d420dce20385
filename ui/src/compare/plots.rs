//! Charts of a comparison, each as SVG and PNG: the CDF of QoE per algorithm, and per-session
//! timelines (available bandwidth, chosen bit rate, buffer level).

use super::stats::Row;
use super::timeline::{Timeline, bandwidth, timeline};
use anyhow::{Context, anyhow};
use flick_platform::sim::Trace;
use flick_player::SessionReport;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The TrueType font the charts' text is laid out and rendered with.
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Tableau's colours but red (kept for the buffer), and two more: distinct, and readable on white.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(40, 40, 130),
    RGBColor(0, 128, 128),
];
const OPTIMAL: RGBColor = RGBColor(0, 0, 0);
const BANDWIDTH: RGBColor = RGBColor(175, 175, 175);
const BUFFER: RGBColor = RGBColor(214, 39, 40);
const GRID: RGBColor = RGBColor(242, 242, 242);

fn colour(i: usize, abr: &str) -> RGBColor {
    if abr == "optimal" { OPTIMAL } else { COLOURS[i % COLOURS.len()] }
}

/// Register [`FONT`] with plotters (once per process); a clear error when it is missing.
pub fn load_font() -> anyhow::Result<()> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let bytes = std::fs::read(FONT).map_err(|e| {
                format!(
                    "the charts need the DejaVu Sans font at {FONT} ({e}): install Debian's fonts-dejavu-core \
                     (`cargo xtask setup` does)"
                )
            })?;
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
                .map_err(|_| format!("{FONT} is not a font plotters can read"))
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// One session to draw on a timeline.
pub struct Session<'a> {
    /// Algorithm (or `optimal`).
    pub abr: &'a str,
    /// Its report.
    pub report: &'a SessionReport,
}

/// Write `stem.svg` and `stem.png` in `dir` with `draw`, returning the paths.
fn both(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    draw: &dyn Fn(&dyn Canvas) -> Result<(), String>,
) -> anyhow::Result<Vec<PathBuf>> {
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        draw(&root).map_err(|e| anyhow!("drawing {}: {e}", svg.display()))?;
        root.present().map_err(|e| anyhow!("writing {}: {e}", svg.display()))?;
    }
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        draw(&root).map_err(|e| anyhow!("drawing {}: {e}", png.display()))?;
        root.present().map_err(|e| anyhow!("writing {}: {e}", png.display()))?;
    }
    Ok(vec![svg, png])
}

/// The CDF of per-session QoE_lin, one line per row (the optimum in black).
pub fn qoe_cdf(dir: &Path, rows: &[Row], title: &str) -> anyhow::Result<Vec<PathBuf>> {
    both(dir, "qoe-cdf", (1000, 640), &|canvas: &dyn Canvas| canvas.cdf(rows, title))
}

/// A per-session timeline of one trace: one panel per session, sharing the time axis.
pub fn session_timeline(
    dir: &Path,
    trace: &Trace,
    sessions: &[Session<'_>],
    title: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    let lines: Vec<Timeline> = sessions.iter().map(|s| timeline(s.report)).collect();
    let end = lines.iter().map(|t| t.end_s).fold(1.0, f64::max);
    let stem = format!("timeline-{}", file_stem(&trace.name));
    let size = (1200, 90 + 250 * sessions.len().max(1) as u32);
    let draw = |canvas: &dyn Canvas| canvas.timeline(trace, sessions, &lines, end, title);
    both(dir, &stem, size, &draw).with_context(|| format!("timeline of {}", trace.name))
}

/// A trace name made safe for a file name.
pub fn file_stem(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// A drawing area of either backend: plotters' backends are distinct types and a closure cannot
/// be generic, so the charts are drawn through this object-safe trait.
trait Canvas {
    fn cdf(&self, rows: &[Row], title: &str) -> Result<(), String>;
    fn timeline(
        &self,
        trace: &Trace,
        sessions: &[Session<'_>],
        lines: &[Timeline],
        end: f64,
        title: &str,
    ) -> Result<(), String>;
}

impl<DB: DrawingBackend> Canvas for DrawingArea<DB, Shift> {
    fn cdf(&self, rows: &[Row], title: &str) -> Result<(), String> {
        draw_cdf(self, rows, title).map_err(|e| e.to_string())
    }

    fn timeline(
        &self,
        trace: &Trace,
        sessions: &[Session<'_>],
        lines: &[Timeline],
        end: f64,
        title: &str,
    ) -> Result<(), String> {
        draw_timeline(self, trace, sessions, lines, end, title).map_err(|e| e.to_string())
    }
}

/// Top of a timeline's axes over the data's maximum: room for the legend above the lines.
const HEADROOM: f64 = 1.55;

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_cdf<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, rows: &[Row], title: &str) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let all = rows.iter().flat_map(|r| r.qoe_lin.iter().copied()).filter(|q| q.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), q| (lo.min(q), hi.max(q)));
    let (lo, hi) = if lo.is_finite() { (lo, hi.max(lo + 1e-3)) } else { (0.0, 1.0) };
    let pad = (hi - lo) * 0.03;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 24))
        .margin(18)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(lo - pad..hi + pad, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("QoE_lin of a session (mean per chunk)")
        .y_desc("fraction of sessions")
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 15))
        .light_line_style(GRID)
        .draw()?;
    for (i, row) in rows.iter().enumerate() {
        let mut q: Vec<f64> = row.qoe_lin.iter().copied().filter(|q| q.is_finite()).collect();
        q.sort_by(f64::total_cmp);
        let n = q.len().max(1) as f64;
        let mut points = vec![(lo - pad, 0.0)];
        for (k, &x) in q.iter().enumerate() {
            points.push((x, k as f64 / n));
            points.push((x, (k + 1) as f64 / n));
        }
        points.push((hi + pad, 1.0));
        let style = colour(i, &row.abr).stroke_width(if row.abr == "optimal" { 3 } else { 2 });
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(format!("{} (mean {:.3})", row.abr, row.mean_qoe_lin))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    Ok(())
}

fn draw_timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    trace: &Trace,
    sessions: &[Session<'_>],
    lines: &[Timeline],
    end: f64,
    title: &str,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let body = root.titled(title, ("sans-serif", 26))?;
    let panels = body.split_evenly((sessions.len().max(1), 1));
    let available = bandwidth(trace, end);
    let rate_top = available
        .iter()
        .map(|p| p.1)
        .chain(lines.iter().flat_map(|l| l.bitrate.iter().map(|p| p.1)))
        .fold(1.0, f64::max)
        * HEADROOM;
    let buffer_top = lines.iter().flat_map(|l| l.buffer.iter().map(|p| p.1)).fold(1.0, f64::max) * HEADROOM;
    for (i, ((panel, session), line)) in panels.iter().zip(sessions).zip(lines).enumerate() {
        let r = session.report;
        let caption = format!(
            "{}: QoE_lin {:.3}, mean bit rate {:.0} kbit/s, rebuffering {:.1} s, {} switches",
            session.abr, r.qoe_lin, r.mean_video_bitrate_kbps, r.rebuffer_s, r.switches
        );
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, ("sans-serif", 17))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .right_y_label_area_size(60)
            .build_cartesian_2d(0.0..end, 0.0..rate_top)?
            .set_secondary_coord(0.0..end, 0.0..buffer_top);
        chart
            .configure_mesh()
            .x_desc("session time (s)")
            .y_desc("rate (Mbit/s)")
            .axis_desc_style(("sans-serif", 15))
            .label_style(("sans-serif", 13))
            .light_line_style(GRID)
            .draw()?;
        chart
            .configure_secondary_axes()
            .y_desc("buffer (s)")
            .axis_desc_style(("sans-serif", 15))
            .label_style(("sans-serif", 13))
            .draw()?;
        chart
            .draw_series(LineSeries::new(available.iter().copied(), BANDWIDTH.stroke_width(1)))?
            .label("trace bandwidth (Mbit/s)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BANDWIDTH.stroke_width(2)));
        let style = colour(i, session.abr).stroke_width(2);
        chart
            .draw_series(LineSeries::new(line.bitrate.iter().copied(), style))?
            .label("segment bit rate (Mbit/s)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        chart
            .draw_secondary_series(LineSeries::new(line.buffer.iter().copied(), BUFFER.stroke_width(1)))?
            .label("buffer (s, right axis)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BUFFER.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 12))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .draw()?;
    }
    Ok(())
}
