//! Sabre's `DynamicDash` (Spiteri, Sitaraman, Sparacio, MMSys 2018), the `DYNAMIC` strategy of
//! dash.js: BOLA-E when the buffer is deep, the throughput rule when it is shallow, with
//! hysteresis: to BOLA-E once the buffer exceeds 10 s, back to the throughput rule when it falls
//! below 5 s.
//!
//! Only the active rule decides (so BOLA-E leaves its STARTUP state on its first decision, with
//! the throughput estimate of that moment); both are told of downloads and idle waits, and the
//! active one decides on abandonment.

use crate::{
    Abr, BolaE, BolaEConfig, Decision, DecisionContext, DownloadReport, ProgressContext, ThroughputRule,
    ThroughputRuleConfig,
};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Parameters of [`DynamicDash`]; defaults are Sabre's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DynamicDashConfig {
    /// Below this buffer level, in seconds, the throughput rule takes over (5 s).
    pub low_threshold_s: f64,
    /// Above this buffer level, in seconds, BOLA-E takes over (10 s).
    pub high_threshold_s: f64,
    /// Parameters of the BOLA-E half.
    pub bola: BolaEConfig,
    /// Parameters of the throughput half.
    pub throughput: ThroughputRuleConfig,
}

impl Default for DynamicDashConfig {
    fn default() -> Self {
        DynamicDashConfig {
            low_threshold_s: 5.0,
            high_threshold_s: 10.0,
            bola: BolaEConfig::default(),
            throughput: ThroughputRuleConfig::default(),
        }
    }
}

/// BOLA-E above a buffer threshold, the throughput rule below another.
#[derive(Clone, Debug)]
pub struct DynamicDash {
    config: DynamicDashConfig,
    bola: BolaE,
    tput: ThroughputRule,
    is_bola: bool,
}

impl Default for DynamicDash {
    fn default() -> Self {
        Self::new(DynamicDashConfig::default())
    }
}

impl DynamicDash {
    /// A DynamicDash with the given parameters.
    pub fn new(config: DynamicDashConfig) -> Self {
        DynamicDash {
            config,
            bola: BolaE::new(config.bola),
            tput: ThroughputRule::new(config.throughput),
            is_bola: false,
        }
    }

    /// Whether BOLA-E is the active rule.
    pub fn is_bola(&self) -> bool {
        self.is_bola
    }
}

impl Abr for DynamicDash {
    fn name(&self) -> &'static str {
        "dynamic-dash"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        // Both halves see the first context (BOLA-E learns the ladder from it); the active one answers.
        let b = self.bola.initial(ctx);
        let t = self.tput.initial(ctx);
        if self.is_bola { b } else { t }
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let level = ctx.buffer_level;
        if self.is_bola && level < Duration::from_secs_f64(self.config.low_threshold_s) {
            self.is_bola = false;
        } else if !self.is_bola && level > Duration::from_secs_f64(self.config.high_threshold_s) {
            self.is_bola = true;
        }
        if self.is_bola { self.bola.choose(ctx) } else { self.tput.choose(ctx) }
    }

    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        if self.is_bola { self.bola.check_abandon(progress) } else { self.tput.check_abandon(progress) }
    }

    fn on_download(&mut self, report: &DownloadReport) {
        self.bola.on_download(report);
        self.tput.on_download(report);
    }

    fn on_idle(&mut self, waited: Duration) {
        self.bola.on_idle(waited);
        self.tput.on_idle(waited);
    }

    fn on_seek(&mut self, segment: usize) {
        self.bola.on_seek(segment);
        self.tput.on_seek(segment);
    }

    fn new_session(&mut self) {
        *self = DynamicDash::new(self.config);
    }
}
