//! BOLA-E (Spiteri, Sitaraman, Sparacio, "From theory to practice: improving bitrate adaptation in
//! the DASH reference player", MMSys 2018) as Sabre's `BolaEnh` implements it; the lineage of
//! dash.js's `BolaRule`.
//!
//! On top of BOLA's buffer-to-rung map it adds:
//! - a *placeholder* buffer: virtual seconds of buffer added to the real level, grown while the
//!   player idles with a full buffer ([`Abr::on_idle`], Sabre's `report_delay`) and when the
//!   algorithm itself asks to wait, and trimmed after each download so that it stays consistent
//!   with the rung that was fetched;
//! - a STARTUP state: the first decision after the first download picks the rung the throughput
//!   estimate sustains and sets the placeholder to the buffer BOLA would need for it;
//! - the insufficient-buffer rule shared with the throughput rule;
//! - its own abandonment rule, which accounts for the latency of the replacement request.
//!
//! Its γp and V are not free parameters: they follow from a minimum buffer of 10 s plus 2 s per
//! rung and the player's buffer cap, as in Sabre.

use crate::throughput::insufficient_buffer_cap;
use crate::{Abr, Decision, DecisionContext, DownloadReport, ProgressContext, quality_from_throughput_kbps};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Parameters of [`BolaE`]; defaults are Sabre's (`BolaEnh`, with `-b` taken from the player).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BolaEConfig {
    /// Buffer BOLA-E plans for, in seconds; `None` takes the player's maximum buffer (Sabre's
    /// `buffer_size`).
    pub buffer_size_s: Option<f64>,
    /// Minimum buffer target, in milliseconds (Sabre's `minimum_buffer`, 10 000).
    pub minimum_buffer_ms: f64,
    /// Buffer target added per rung, in milliseconds (Sabre's `minimum_buffer_per_level`, 2 000).
    pub minimum_buffer_per_level_ms: f64,
    /// Floor of the insufficient-buffer safety factor (0.5).
    pub low_buffer_safety_factor: f64,
    /// Initial insufficient-buffer safety factor, also its per-decision decay (0.9).
    pub low_buffer_safety_factor_init: f64,
    /// Turn the insufficient-buffer rule off; γp and V then come from `gamma_p` and the buffer
    /// size as in BOLA-BASIC.
    pub no_insufficient_buffer_rule: bool,
    /// The γp product in seconds, used only with `no_insufficient_buffer_rule` (Sabre's `-gp`, 5).
    pub gamma_p: f64,
    /// BOLA-O: cap up-switches at the throughput-sustainable rung instead of one rung above it.
    pub minimise_oscillation: bool,
}

impl Default for BolaEConfig {
    fn default() -> Self {
        BolaEConfig {
            buffer_size_s: None,
            minimum_buffer_ms: 10_000.0,
            minimum_buffer_per_level_ms: 2_000.0,
            low_buffer_safety_factor: 0.5,
            low_buffer_safety_factor_init: 0.9,
            no_insufficient_buffer_rule: false,
            gamma_p: 5.0,
            minimise_oscillation: false,
        }
    }
}

/// The ladder-dependent constants, computed once per ladder (all in Sabre's units: kbit/s, ms).
#[derive(Clone, Debug, Default)]
struct Params {
    kbps: Vec<f64>,
    utilities: Vec<f64>,
    gp: f64,
    vp: f64,
    segment_ms: f64,
    buffer_size_ms: f64,
}

impl Params {
    fn matches(&self, ctx: &DecisionContext<'_>, buffer_size_ms: f64) -> bool {
        self.kbps.len() == ctx.rungs.len()
            && self.kbps.iter().zip(ctx.rungs).all(|(k, r)| *k == r.kbps())
            && self.segment_ms == ms(ctx.segment_duration)
            && self.buffer_size_ms == buffer_size_ms
    }

    fn new(config: &BolaEConfig, ctx: &DecisionContext<'_>, buffer_size_ms: f64) -> Self {
        let kbps: Vec<f64> = ctx.rungs.iter().map(|r| r.kbps()).collect();
        let offset = 1.0 - kbps[0].ln();
        let utilities: Vec<f64> = kbps.iter().map(|b| b.ln() + offset).collect();
        let top = utilities[utilities.len() - 1];
        let segment_ms = ms(ctx.segment_duration);
        let (gp, vp) = if config.no_insufficient_buffer_rule {
            let gp = config.gamma_p - 1.0;
            (gp, (buffer_size_ms - segment_ms) / (top + gp))
        } else {
            let buffer = (config.minimum_buffer_ms + config.minimum_buffer_per_level_ms * kbps.len() as f64)
                .max(buffer_size_ms);
            let gp = (top - 1.0) / (buffer / config.minimum_buffer_ms - 1.0);
            (gp, config.minimum_buffer_ms / gp)
        };
        Params { kbps, utilities, gp, vp, segment_ms, buffer_size_ms }
    }

    fn top(&self) -> usize {
        self.kbps.len() - 1
    }

    /// BOLA's rung for a buffer level (ms): the best `(V(u + γp) − level) / bitrate`.
    fn quality_from_buffer(&self, level_ms: f64) -> usize {
        let mut quality = 0;
        let mut best = f64::NEG_INFINITY;
        for (q, (&b, &u)) in self.kbps.iter().zip(&self.utilities).enumerate() {
            let score = (self.vp * (u + self.gp) - level_ms) / b;
            if score > best {
                quality = q;
                best = score;
            }
        }
        quality
    }

    /// The lowest buffer level (ms) at which BOLA prefers `quality` to every lower rung.
    fn min_buffer_for_quality(&self, quality: usize) -> f64 {
        let b = self.kbps[quality];
        let u = self.utilities[quality];
        let mut level = 0.0_f64;
        for q in 0..quality {
            if self.utilities[q] < u {
                let (bb, uu) = (self.kbps[q], self.utilities[q]);
                level = level.max(self.vp * (self.gp + (b * uu - bb * u) / (b - bb)));
            }
        }
        level
    }

    /// The buffer level (ms) above which BOLA would rather wait than fetch `quality`.
    fn max_buffer_for_quality(&self, quality: usize) -> f64 {
        self.vp * (self.utilities[quality] + self.gp)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// BOLA-E's two states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No decision taken yet (or since a seek): the next one follows the throughput estimate.
    Startup,
    /// BOLA with the placeholder.
    Steady,
}

/// BOLA-E: BOLA with a placeholder buffer, a throughput-based start, the insufficient-buffer rule
/// and latency-aware abandonment.
#[derive(Clone, Debug)]
pub struct BolaE {
    config: BolaEConfig,
    params: Params,
    state: State,
    /// Virtual buffer, in milliseconds.
    placeholder: f64,
    last_quality: usize,
    ibr_safety: f64,
}

impl Default for BolaE {
    fn default() -> Self {
        Self::new(BolaEConfig::default())
    }
}

impl BolaE {
    /// A BOLA-E with the given parameters.
    pub fn new(config: BolaEConfig) -> Self {
        BolaE {
            config,
            params: Params::default(),
            state: State::Startup,
            placeholder: 0.0,
            last_quality: 0,
            ibr_safety: config.low_buffer_safety_factor_init,
        }
    }

    /// The placeholder (virtual) buffer currently added to the real level.
    pub fn placeholder(&self) -> Duration {
        Duration::from_secs_f64(self.placeholder.max(0.0) / 1000.0)
    }

    fn prepare(&mut self, ctx: &DecisionContext<'_>) {
        if ctx.rungs.is_empty() {
            return;
        }
        let buffer_size_ms = self.config.buffer_size_s.map_or(ms(ctx.max_buffer), |s| s * 1000.0);
        if !self.params.matches(ctx, buffer_size_ms) {
            self.params = Params::new(&self.config, ctx, buffer_size_ms);
        }
    }

    fn ready(&self) -> bool {
        !self.params.kbps.is_empty()
    }
}

impl Abr for BolaE {
    fn name(&self) -> &'static str {
        "bola-e"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        self.prepare(ctx);
        0
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        self.prepare(ctx);
        if !self.ready() || ctx.rungs.is_empty() {
            return Decision::rung(0);
        }
        let p = &self.params;
        let level = ms(ctx.buffer_level);
        let last = self.last_quality.min(p.top());
        let Some(estimate) = ctx.throughput.estimate else {
            return Decision::rung(last);
        };
        let latency = ctx.throughput.latency.unwrap_or_default();
        let sustainable =
            quality_from_throughput_kbps(ctx.rungs, ctx.segment_duration, estimate.kbps(), latency);

        if self.state == State::Startup {
            self.state = State::Steady;
            self.ibr_safety = self.config.low_buffer_safety_factor_init;
            self.placeholder = (p.min_buffer_for_quality(sustainable) - level).max(0.0);
            return Decision::rung(sustainable);
        }

        let mut quality = p.quality_from_buffer(level + self.placeholder);
        if quality > last && quality > sustainable {
            quality = last.max(sustainable);
            if !self.config.minimise_oscillation {
                quality += 1;
            }
        }

        let mut delay = level + self.placeholder - p.max_buffer_for_quality(quality);
        if delay > 0.0 {
            if delay <= self.placeholder {
                self.placeholder -= delay;
                delay = 0.0;
            } else {
                delay -= self.placeholder;
                self.placeholder = 0.0;
            }
        } else {
            delay = 0.0;
        }
        if quality == p.top() {
            delay = 0.0;
        }

        if !self.config.no_insufficient_buffer_rule {
            let safety = self.ibr_safety;
            self.ibr_safety = (self.ibr_safety * self.config.low_buffer_safety_factor_init)
                .max(self.config.low_buffer_safety_factor);
            let capped = insufficient_buffer_cap(ctx, quality, safety, estimate);
            if capped < quality {
                quality = capped;
                delay = 0.0;
                let max_placeholder = (p.min_buffer_for_quality(quality) - level).max(0.0);
                self.placeholder = self.placeholder.min(max_placeholder);
            }
        }
        Decision { rung: quality, delay: Duration::from_secs_f64(delay / 1000.0) }
    }

    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        if !self.ready() || progress.rung >= self.params.kbps.len() {
            return None;
        }
        let p = &self.params;
        let size = progress.size?.bits() as f64;
        let downloaded = progress.received.bits() as f64;
        let remain = size - downloaded;
        if downloaded <= 0.0 || remain <= 0.0 {
            return None;
        }
        let ttfb = ms(progress.ttfb?);
        let body = ms(progress.elapsed) - ttfb;
        if body <= 0.0 {
            return None;
        }
        // A new request costs a latency too: estimate the state once it would have passed.
        let level = (ms(progress.buffer_level) + self.placeholder - ttfb).max(0.0);
        let tput = downloaded / body;
        let left = remain - ttfb * tput;
        if left <= 0.0 {
            return None;
        }
        let mut score = (p.vp * (p.gp + p.utilities[progress.rung]) - level) / left;
        let mut abandon_to = None;
        for q in 0..progress.rung {
            let other_size = size * p.kbps[q] / p.kbps[progress.rung];
            let other_score = (p.vp * (p.gp + p.utilities[q]) - level) / other_size;
            // Switching only pays when the replacement is smaller than what is left to fetch.
            if other_size < left && other_score > score {
                score = other_score;
                abandon_to = Some(q);
            }
        }
        abandon_to
    }

    fn on_download(&mut self, report: &DownloadReport) {
        self.last_quality = report.rung;
        if !self.ready() || report.rung >= self.params.kbps.len() {
            return;
        }
        let p = &self.params;
        let level = ms(report.buffer_level);
        match report.abandoned_to {
            None => {
                // Keep the placeholder consistent with the rung just fetched.
                let level_was = level + ms(report.elapsed);
                let max_placeholder = (p.max_buffer_for_quality(report.rung) - level_was).max(0.0);
                self.placeholder = self.placeholder.min(max_placeholder);
                if level > 0.0 {
                    let min_placeholder = p.min_buffer_for_quality(report.rung) - level_was;
                    self.placeholder = self.placeholder.max(min_placeholder);
                }
            }
            Some(to) => {
                // Something went wrong: lower the placeholder to a conservative level.
                let want = if to > 0 && to < p.kbps.len() {
                    p.min_buffer_for_quality(to)
                } else {
                    self.config.minimum_buffer_ms
                };
                self.placeholder = self.placeholder.min((want - level).max(0.0));
            }
        }
    }

    fn on_idle(&mut self, waited: Duration) {
        self.placeholder += ms(waited);
    }

    fn on_seek(&mut self, _segment: usize) {
        self.state = State::Startup;
    }

    fn new_session(&mut self) {
        *self = BolaE { params: core::mem::take(&mut self.params), ..BolaE::new(self.config) };
    }
}
