//! A progress bar on stderr that appears only once a sweep has run longer than a second.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts finished items; draws itself on stderr after the first second.
pub struct SweepProgress {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
}

impl SweepProgress {
    /// A bar for `total` items of `what` (e.g. "sessions").
    pub fn new(total: u64, what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let template = format!("{{spinner}} {{pos}}/{{len}} {what} [{{bar:30}}] {{per_sec}} eta {{eta}}");
        bar.set_style(
            ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        SweepProgress { bar, started: Instant::now(), shown: Mutex::new(false) }
    }

    /// One more item done.
    pub fn tick(&self) {
        self.bar.inc(1);
        if self.started.elapsed() > Duration::from_secs(1)
            && let Ok(mut shown) = self.shown.lock()
            && !*shown
        {
            *shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Remove the bar; the time since it was made.
    pub fn finish(&self) -> Duration {
        self.bar.finish_and_clear();
        self.started.elapsed()
    }
}
