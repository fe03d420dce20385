//! Sabre's `Dynamic` (Spiteri, Sitaraman, Sparacio, MMSys 2018): BOLA when the buffer is deep,
//! the throughput rule when it is shallow.
//!
//! Both rules decide every segment, so each keeps its own state up to date (BOLA its last rung,
//! the throughput rule its decaying insufficient-buffer safety factor); the switch then picks
//! whose answer to use:
//! - from the throughput rule to BOLA once the buffer is above 10 s and BOLA's rung is at least
//!   the throughput rule's;
//! - back to the throughput rule when the buffer is below 10 s and BOLA's rung is lower.
//!
//! Abandonment always follows the throughput rule, as in Sabre (where BOLA's rule is disabled by
//! an `if False and ...`).

use crate::{
    Abr, Bola, BolaConfig, Decision, DecisionContext, DownloadReport, ProgressContext, ThroughputRule,
    ThroughputRuleConfig,
};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Parameters of [`Dynamic`]; defaults are Sabre's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DynamicConfig {
    /// Buffer level, in seconds, around which the two rules hand over (Sabre's
    /// `low_buffer_threshold`, 10 s).
    pub threshold_s: f64,
    /// Parameters of the BOLA half.
    pub bola: BolaConfig,
    /// Parameters of the throughput half.
    pub throughput: ThroughputRuleConfig,
}

impl Default for DynamicConfig {
    fn default() -> Self {
        DynamicConfig {
            threshold_s: 10.0,
            bola: BolaConfig::default(),
            throughput: ThroughputRuleConfig::default(),
        }
    }
}

/// BOLA above a buffer threshold, the throughput rule below it.
#[derive(Clone, Debug)]
pub struct Dynamic {
    config: DynamicConfig,
    bola: Bola,
    tput: ThroughputRule,
    is_bola: bool,
}

impl Default for Dynamic {
    fn default() -> Self {
        Self::new(DynamicConfig::default())
    }
}

impl Dynamic {
    /// A Dynamic with the given parameters.
    pub fn new(config: DynamicConfig) -> Self {
        Dynamic {
            config,
            bola: Bola::new(config.bola),
            tput: ThroughputRule::new(config.throughput),
            is_bola: false,
        }
    }

    /// Whether BOLA's answers are the ones used now.
    pub fn is_bola(&self) -> bool {
        self.is_bola
    }
}

impl Abr for Dynamic {
    fn name(&self) -> &'static str {
        "dynamic"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        if self.is_bola { self.bola.initial(ctx) } else { self.tput.initial(ctx) }
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let level = ctx.buffer_level;
        let threshold = Duration::from_secs_f64(self.config.threshold_s);
        let b = self.bola.choose(ctx);
        let t = self.tput.choose(ctx);
        if self.is_bola {
            if level < threshold && b.rung < t.rung {
                self.is_bola = false;
            }
        } else if level > threshold && b.rung >= t.rung {
            self.is_bola = true;
        }
        if self.is_bola { b } else { t }
    }

    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        self.tput.check_abandon(progress)
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
        *self = Dynamic::new(self.config);
    }
}
