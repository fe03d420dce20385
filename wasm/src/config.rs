//! The configuration object of `new Player(video, config)` and `player.configure(config)`.
//!
//! Friendly keys in seconds for what pages usually set, and `core` for any field of the core's
//! [`PlayerConfig`] in its own serde form. Unknown keys are an error, so a typo is not ignored.

use flick_player::PlayerConfig;
use serde::Deserialize;
use std::time::Duration;

/// The page's configuration, as JSON (`JSON.stringify` of the JS object).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct WebConfig {
    /// ABR algorithm name (`hedge`, `bola`, `robust-mpc`, ...; `flick` is an alias of `hedge`);
    /// default `hedge`.
    pub abr: Option<String>,
    /// Most media buffered ahead, in seconds.
    pub max_buffer: Option<f64>,
    /// Media needed before playback starts, in seconds.
    pub start_threshold: Option<f64>,
    /// Start playing as soon as enough is buffered (default true).
    pub autoplay: Option<bool>,
    /// Rung of the first video segment (default: the ABR algorithm chooses).
    pub initial_quality: Option<usize>,
    /// Live streams: media kept behind the position, in seconds (older media is removed from the
    /// `SourceBuffer`s); default [`crate::media::KEEP_LIVE_BEHIND_S`].
    pub live_back_buffer: Option<f64>,
    /// Fields of the core's `PlayerConfig` (its serde form), applied first.
    pub core: Option<serde_json::Value>,
}

impl WebConfig {
    /// Read a configuration from JSON text.
    pub fn from_json(text: &str) -> Result<WebConfig, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// This configuration with `other`'s keys laid over it.
    pub fn merged(&self, other: &WebConfig) -> WebConfig {
        WebConfig {
            abr: other.abr.clone().or_else(|| self.abr.clone()),
            max_buffer: other.max_buffer.or(self.max_buffer),
            start_threshold: other.start_threshold.or(self.start_threshold),
            autoplay: other.autoplay.or(self.autoplay),
            initial_quality: other.initial_quality.or(self.initial_quality),
            live_back_buffer: other.live_back_buffer.or(self.live_back_buffer),
            core: other.core.clone().or_else(|| self.core.clone()),
        }
    }

    /// The ABR algorithm name.
    pub fn abr_name(&self) -> &str {
        self.abr.as_deref().unwrap_or("hedge")
    }

    /// Seconds of media a live session keeps behind the position.
    pub fn live_back_buffer(&self) -> Result<f64, String> {
        match self.live_back_buffer {
            Some(s) => seconds("liveBackBuffer", s).map(|d| d.as_secs_f64()),
            None => Ok(crate::media::KEEP_LIVE_BEHIND_S),
        }
    }

    /// The core's configuration.
    pub fn player_config(&self) -> Result<PlayerConfig, String> {
        let mut config = match &self.core {
            Some(core) => serde_json::from_value(core.clone()).map_err(|e| format!("core: {e}"))?,
            None => PlayerConfig::default(),
        };
        if let Some(s) = self.max_buffer {
            config.max_buffer = seconds("maxBuffer", s)?;
        }
        if let Some(s) = self.start_threshold {
            config.start_threshold = seconds("startThreshold", s)?;
        }
        if let Some(autoplay) = self.autoplay {
            config.autoplay = autoplay;
        }
        if self.initial_quality.is_some() {
            config.initial_rung = self.initial_quality;
        }
        Ok(config)
    }
}

/// Longest time a configuration key takes, in seconds (about 30 years: anything longer is a
/// mistake, and no `Duration` holds 1e20 seconds).
const MAX_SECONDS: f64 = 1e9;

fn seconds(name: &str, value: f64) -> Result<Duration, String> {
    if value.is_finite() && (0.0..=MAX_SECONDS).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!("{name} must be a number of seconds from 0 to {MAX_SECONDS}, not {value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_keys_set_the_core_config() {
        let config = WebConfig::from_json(r#"{"abr":"bola","maxBuffer":12.5,"autoplay":false}"#).unwrap();
        assert_eq!(config.abr_name(), "bola");
        let core = config.player_config().unwrap();
        assert_eq!(core.max_buffer, Duration::from_millis(12_500));
        assert!(!core.autoplay);
    }

    #[test]
    fn typos_and_bad_values_are_errors() {
        assert!(WebConfig::from_json(r#"{"maxbuffer":3}"#).unwrap_err().contains("maxbuffer"));
        let negative = WebConfig { max_buffer: Some(-1.0), ..WebConfig::default() };
        assert!(negative.player_config().unwrap_err().contains("maxBuffer"));
        let huge = WebConfig { max_buffer: Some(1e20), start_threshold: Some(1e300), ..WebConfig::default() };
        assert!(huge.player_config().unwrap_err().contains("maxBuffer"), "no panic: a typed error");
        let core = WebConfig { core: Some(serde_json::json!({"nope": 1})), ..WebConfig::default() };
        assert!(core.player_config().is_err());
        let back = WebConfig::from_json(r#"{"liveBackBuffer":-2}"#).unwrap();
        assert!(back.live_back_buffer().unwrap_err().contains("liveBackBuffer"));
        assert_eq!(WebConfig::default().live_back_buffer(), Ok(crate::media::KEEP_LIVE_BEHIND_S));
    }

    #[test]
    fn later_keys_win_when_merged() {
        let a = WebConfig { abr: Some("bba".into()), max_buffer: Some(10.0), ..WebConfig::default() };
        let b = WebConfig { max_buffer: Some(20.0), ..WebConfig::default() };
        let m = a.merged(&b);
        assert_eq!((m.abr_name(), m.max_buffer), ("bba", Some(20.0)));
    }
}
