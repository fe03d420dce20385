//! BBA-0 (Huang et al., SIGCOMM 2014) as Pensieve's `bb.py` implements it: the lowest rung below a
//! reservoir, the highest above reservoir + cushion, and a linear map of the buffer in between.

use crate::{Abr, Decision, DecisionContext};
use serde::{Deserialize, Serialize};

/// Parameters of [`Bba`], in seconds of buffer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BbaConfig {
    /// Below this buffer level the lowest rung is fetched.
    pub reservoir_s: f64,
    /// Width of the linear region above the reservoir.
    pub cushion_s: f64,
}

impl Default for BbaConfig {
    fn default() -> Self {
        BbaConfig { reservoir_s: 5.0, cushion_s: 10.0 }
    }
}

/// Buffer-based rate adaptation, BBA-0.
#[derive(Clone, Debug, Default)]
pub struct Bba {
    config: BbaConfig,
}

impl Bba {
    /// A BBA with the given reservoir and cushion.
    pub fn new(config: BbaConfig) -> Self {
        Bba { config }
    }
}

impl Abr for Bba {
    fn name(&self) -> &'static str {
        "bba"
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let buffer = ctx.buffer_level.as_secs_f64();
        let top = ctx.top_rung();
        let BbaConfig { reservoir_s, cushion_s } = self.config;
        let rung = if buffer < reservoir_s {
            0
        } else if buffer >= reservoir_s + cushion_s {
            top
        } else {
            ((top as f64 * (buffer - reservoir_s) / cushion_s) as usize).min(top)
        };
        Decision::rung(rung)
    }
}
