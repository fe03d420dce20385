//! Algorithms by name, with optional JSON parameters.
//!
//! `flick` is an alias of `hedge`, the default algorithm's name before it was renamed (so that it
//! no longer reads as the project's own name): [`by_name`] and [`from_json`] accept it, [`names`]
//! does not list it, and the algorithm reports itself as `hedge`.

use crate::{Abr, Bba, Bola, HedgeAbr, Mpc, MpcConfig, ThroughputRule};
use crate::{BolaE, Dynamic, DynamicDash, ExoPlayer, FastMpc, Festive, GStreamer, Shaka};
use serde::de::DeserializeOwned;

/// The names [`by_name`] knows, in the order tables list them, the default (`hedge`) first.
/// Aliases (`flick` for `hedge`) are accepted by [`by_name`] but not listed.
pub fn names() -> &'static [&'static str] {
    &[
        "hedge",
        "throughput",
        "bba",
        "bola",
        "mpc",
        "robust-mpc",
        "bola-e",
        "dynamic",
        "dynamic-dash",
        "festive",
        "fast-mpc",
        "shaka",
        "exoplayer",
        "gstreamer",
    ]
}

/// A name that is not one of [`names`], or parameters that do not fit the algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAlgorithm(pub String);

impl core::fmt::Display for UnknownAlgorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (known: {})", self.0, names().join(", "))
    }
}

impl std::error::Error for UnknownAlgorithm {}

/// The algorithm called `name` (one of [`names`], or the alias `flick` of `hedge`), with its
/// default parameters.
pub fn by_name(name: &str) -> Result<Box<dyn Abr>, UnknownAlgorithm> {
    from_json(name, "{}")
}

fn parse<T: DeserializeOwned>(name: &str, json: &str) -> Result<T, UnknownAlgorithm> {
    serde_json::from_str(json).map_err(|e| UnknownAlgorithm(format!("bad parameters for {name}: {e}")))
}

/// The algorithm called `name` (one of [`names`], or the alias `flick` of `hedge`) with parameters
/// given as a JSON object (`{}` for the defaults).
pub fn from_json(name: &str, json: &str) -> Result<Box<dyn Abr>, UnknownAlgorithm> {
    Ok(match name {
        "hedge" | "flick" => Box::new(HedgeAbr::new(parse(name, json)?)),
        "throughput" => Box::new(ThroughputRule::new(parse(name, json)?)),
        "bba" => Box::new(Bba::new(parse(name, json)?)),
        "bola" => Box::new(Bola::new(parse(name, json)?)),
        "robust-mpc" => Box::new(Mpc::new(parse(name, json)?)),
        "bola-e" => Box::new(BolaE::new(parse(name, json)?)),
        "dynamic" => Box::new(Dynamic::new(parse(name, json)?)),
        "dynamic-dash" => Box::new(DynamicDash::new(parse(name, json)?)),
        "festive" => Box::new(Festive::new(parse(name, json)?)),
        "fast-mpc" => Box::new(FastMpc::new(parse(name, json)?)),
        "shaka" => Box::new(Shaka::new(parse(name, json)?)),
        "exoplayer" => Box::new(ExoPlayer::new(parse(name, json)?)),
        "gstreamer" => Box::new(GStreamer::new(parse(name, json)?)),
        "mpc" => {
            let config: MpcConfig = parse(name, json)?;
            Box::new(Mpc::new(MpcConfig { robust: false, ..config }))
        }
        other => return Err(UnknownAlgorithm(format!("unknown ABR algorithm `{other}`"))),
    })
}
