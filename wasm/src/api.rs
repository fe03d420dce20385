//! The JavaScript API: `new Player(video, config)`, `load`, `on`, `stats`, `configure`,
//! `setQuality`, `setAbr`, `destroy`, plus `play`, `pause`, `seek` and a live `status()` for
//! statistics panels; for live streams `isLive`, `goLive` and `status().live`. Errors are
//! thrown (or reject) as `Error` objects with a `code` ([`crate::error`]).

use crate::abr_js::JsAbr;
use crate::config::WebConfig;
use crate::error::{codes, js_error};
use crate::session::{Listeners, Session};
use flick_player::presentation::TrackKind;
use flick_player::{Input, Player as Core};
use serde_json::json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlVideoElement;

#[wasm_bindgen]
extern "C" {
    /// The configuration object (see `FlickConfig` in `flick.d.ts`).
    #[wasm_bindgen(typescript_type = "FlickConfig")]
    pub type JsConfig;
    /// `number | 'auto'`.
    #[wasm_bindgen(typescript_type = "number | 'auto'")]
    pub type JsQuality;
    /// A listener.
    #[wasm_bindgen(typescript_type = "(detail: any) => void")]
    pub type JsListener;
    /// A custom ABR function.
    #[wasm_bindgen(typescript_type = "(decision: FlickDecision) => number")]
    pub type JsAbrFunction;
}

/// A Flick player on one `<video>` element.
#[wasm_bindgen]
pub struct Player {
    video: HtmlVideoElement,
    config: WebConfig,
    abr_function: Option<js_sys::Function>,
    listeners: Listeners,
    session: Option<Rc<Session>>,
}

#[wasm_bindgen]
impl Player {
    /// A player for `video`, with an optional configuration object (`{abr: 'hedge', maxBuffer:
    /// 30, autoplay: true, initialQuality, core: {...}}`).
    #[wasm_bindgen(constructor)]
    pub fn new(video: HtmlVideoElement, config: Option<JsConfig>) -> Result<Player, JsValue> {
        let config = read_config(config.map(JsValue::from))?;
        Ok(Player { video, config, abr_function: None, listeners: Listeners::default(), session: None })
    }

    /// Load and play the MPD at `url` (a session already running is stopped first). Resolves
    /// once the manifest is read and the media buffers exist; rejects with `{code, message}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn load(&mut self, url: String) -> Result<js_sys::Promise, JsValue> {
        if let Some(old) = self.session.take() {
            old.destroy();
        }
        let abr = match &self.abr_function {
            Some(function) => Box::new(JsAbr::new(function.clone())) as Box<dyn flick_abr::Abr>,
            None => flick_abr::by_name(self.config.abr_name())
                .map_err(|e| js_error(codes::UNKNOWN_ABR, &e.to_string()))?,
        };
        let mut core_config = self.config.player_config().map_err(|e| js_error(codes::CONFIG, &e))?;
        core_config.decoder_reports = Some(flick_player::DECODER_REPORTS);
        let keep_live_behind = self.config.live_back_buffer().map_err(|e| js_error(codes::CONFIG, &e))?;
        let mut settle = None;
        let promise = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        let settle = settle.ok_or_else(|| js_error(codes::INVALID_STATE, "the promise did not start"))?;
        let session = Session::start(
            self.video.clone(),
            Core::new(core_config, abr),
            url,
            self.listeners.clone(),
            settle,
            keep_live_behind,
        )?;
        self.session = Some(session);
        Ok(promise)
    }

    /// Call `callback(detail)` on every event `name` (`statechange`, `qualitychange`, `cdnchange`,
    /// `stall`, `error`, `loaded`, `requestfailed`, `trackchange`, `bufferevicted`, `liveedge`,
    /// `playbackrate`, `clocksync`, `manifestupdate`, `streamevent`, or `*`).
    pub fn on(&self, name: String, callback: JsListener) -> Result<(), JsValue> {
        if !crate::events::NAMES.contains(&name.as_str()) {
            let known = crate::events::NAMES.join(", ");
            return Err(js_error(
                codes::INVALID_ARGUMENT,
                &format!("unknown event '{name}' (known: {known})"),
            ));
        }
        let function: js_sys::Function = JsValue::from(callback).into();
        self.listeners.borrow_mut().push((name, function));
        Ok(())
    }

    /// Stop calling `callback` for `name`.
    pub fn off(&self, name: String, callback: JsListener) {
        let callback = JsValue::from(callback);
        self.listeners.borrow_mut().retain(|(n, f)| !(n == &name && JsValue::from(f.clone()) == callback));
    }

    /// The session report (as `flick play --report` writes it): `startup_ms`, `stalls`,
    /// `rebuffer_s`, `mean_video_bitrate_kbps`, `switches`, `cdn_switches`, `segments`, ...
    #[wasm_bindgen(unchecked_return_type = "FlickReport")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let session = self.session()?;
        let report = session.report().ok_or_else(busy)?;
        let text =
            serde_json::to_string(&report).map_err(|e| js_error(codes::INVALID_STATE, &e.to_string()))?;
        js_sys::JSON::parse(&text)
    }

    /// What a statistics panel shows, as of now: `{state, position, duration, buffer, quality,
    /// bitrateKbps, throughputKbps, location, rungsKbps, abr, quotaErrors, live}` (times in
    /// seconds). `live` is `null` for on-demand content, else `{liveLatency, targetLatency,
    /// seekableStart, seekableEnd, following, playbackRate, clock, ended}`.
    #[wasm_bindgen(unchecked_return_type = "FlickStatus")]
    pub fn status(&self) -> Result<JsValue, JsValue> {
        let session = self.session()?;
        let now = session.now();
        let status = session
            .with_player(|p| {
                let status = p.status(now);
                let rungs: Vec<u64> = status.rungs.iter().map(|r| r.bitrate_kbps).collect();
                let live = status.live.as_ref().map(|live| {
                    json!({
                        "liveLatency": live.latency.as_secs_f64(),
                        "targetLatency": live.target_latency.as_secs_f64(),
                        "seekableStart": live.window.0.as_secs_f64(),
                        "seekableEnd": live.window.1.as_secs_f64(),
                        "following": live.following,
                        "playbackRate": live.playback_rate,
                        "clock": live.clock,
                        "ended": live.ended,
                    })
                });
                json!({
                    "state": status.state,
                    "position": status.position.as_secs_f64(),
                    "duration": status.duration.map(|d| d.as_secs_f64()),
                    "buffer": status.buffer.as_secs_f64(),
                    "quality": status.video_rung,
                    "bitrateKbps": status.video_rung.and_then(|r| rungs.get(r)),
                    "throughputKbps": status.throughput_kbps,
                    "location": status.location,
                    "rungsKbps": rungs,
                    "abr": status.abr,
                    "quotaErrors": session.quota_errors(),
                    "live": live,
                })
            })
            .ok_or_else(busy)?;
        js_sys::JSON::parse(&status.to_string())
    }

    /// Lay `config`'s keys over the configuration. It applies from the next `load()`.
    pub fn configure(&mut self, config: JsConfig) -> Result<(), JsValue> {
        let update = read_config(Some(config.into()))?;
        let merged = self.config.merged(&update);
        merged.player_config().map_err(|e| js_error(codes::CONFIG, &e))?;
        merged.live_back_buffer().map_err(|e| js_error(codes::CONFIG, &e))?;
        if flick_abr::by_name(merged.abr_name()).is_err() {
            return Err(js_error(
                codes::UNKNOWN_ABR,
                &format!("unknown ABR algorithm '{}'", merged.abr_name()),
            ));
        }
        if update.abr.is_some() {
            self.abr_function = None;
        }
        self.config = merged;
        Ok(())
    }

    /// Pin the video rung (`0` is the lowest), or give the choice back to the ABR with `'auto'`.
    #[wasm_bindgen(js_name = setQuality)]
    pub fn set_quality(&self, quality: JsQuality) -> Result<(), JsValue> {
        let value = JsValue::from(quality);
        let rung = if value.as_string().as_deref() == Some("auto") {
            None
        } else {
            match value.as_f64() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => Some(n as usize),
                _ => {
                    return Err(js_error(codes::INVALID_ARGUMENT, "setQuality takes a rung index or 'auto'"));
                }
            }
        };
        let session = self.session()?;
        let rungs = session.with_player(|p| {
            p.presentation().and_then(|pr| pr.track(TrackKind::Video)).map(|t| t.representations.len())
        });
        if let (Some(r), Some(Some(count))) = (rung, rungs)
            && r >= count
        {
            return Err(js_error(
                codes::INVALID_ARGUMENT,
                &format!("quality {r} out of range (0 to {})", count - 1),
            ));
        }
        session.input(Input::SetQuality { rung });
        Ok(())
    }

    /// Use a JavaScript function as the ABR algorithm from the next `load()`:
    /// `(decision) => rungIndex` (see `FlickDecision`).
    #[wasm_bindgen(js_name = setAbr)]
    pub fn set_abr(&mut self, abr: JsAbrFunction) -> Result<(), JsValue> {
        let value = JsValue::from(abr);
        let function = value
            .dyn_into::<js_sys::Function>()
            .map_err(|_| js_error(codes::INVALID_ARGUMENT, "setAbr takes a function"))?;
        self.abr_function = Some(function);
        Ok(())
    }

    /// Resume playback.
    pub fn play(&self) -> Result<(), JsValue> {
        self.session()?.input(Input::Play);
        Ok(())
    }

    /// Pause playback (downloads go on).
    pub fn pause(&self) -> Result<(), JsValue> {
        self.session()?.input(Input::Pause);
        Ok(())
    }

    /// Jump to `seconds` on the presentation timeline.
    pub fn seek(&self, seconds: f64) -> Result<(), JsValue> {
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(js_error(codes::INVALID_ARGUMENT, "seek takes a number of seconds ≥ 0"));
        }
        self.session()?.input(Input::Seek { position: crate::media::secs(seconds) });
        Ok(())
    }

    /// Whether the stream loaded is live (a dynamic MPD; `false` before the manifest is read, and
    /// once a refresh turned it static).
    #[wasm_bindgen(js_name = isLive)]
    pub fn is_live(&self) -> bool {
        self.session
            .as_ref()
            .and_then(|s| s.with_player(|p| p.presentation().is_some_and(|pr| pr.is_live())))
            .unwrap_or(false)
    }

    /// Back to the live edge: jump to the target latency behind it and follow it again (after a
    /// seek back into the DVR window, or a pause). Nothing for on-demand content.
    #[wasm_bindgen(js_name = goLive)]
    pub fn go_live(&self) -> Result<(), JsValue> {
        self.session()?.input(Input::GoLive);
        Ok(())
    }

    /// Stop the session: abort every request, release the element. The player can `load()` again.
    pub fn destroy(&mut self) {
        if let Some(session) = self.session.take() {
            session.destroy();
        }
    }

    /// The names of the built-in ABR algorithms.
    #[wasm_bindgen(js_name = abrNames)]
    pub fn abr_names() -> Vec<String> {
        crate::abr_names().into_iter().map(String::from).collect()
    }

    /// The version of Flick's core in this build.
    pub fn version() -> String {
        crate::core_version().to_string()
    }
}

impl Player {
    fn session(&self) -> Result<&Rc<Session>, JsValue> {
        self.session
            .as_ref()
            .ok_or_else(|| js_error(codes::INVALID_STATE, "no stream loaded (call load() first)"))
    }
}

fn busy() -> JsValue {
    js_error(codes::INVALID_STATE, "the player is busy (called from inside an ABR function?)")
}

fn read_config(config: Option<JsValue>) -> Result<WebConfig, JsValue> {
    let Some(config) = config.filter(|c| !c.is_undefined() && !c.is_null()) else {
        return Ok(WebConfig::default());
    };
    let text = js_sys::JSON::stringify(&config)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| js_error(codes::CONFIG, "the configuration must be a plain object"))?;
    WebConfig::from_json(&text).map_err(|e| js_error(codes::CONFIG, &e))
}
