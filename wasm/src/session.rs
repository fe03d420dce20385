//! One browser session: the player core on the page's event loop, with the shape of
//! `flick-native`'s session loop.
//!
//! After every input or timeout the session drains [`Player::poll_output`]: a fetch starts a task
//! ([`crate::fetch`]), a cancel aborts its controller, appends and flushes go to the
//! [`MediaSink`] (with the core's end of each track), events go to the page's listeners, and when
//! the core asks ([`Output::ReportDecoder`]) the element's position ([`Input::Playback`]) and frame
//! counters ([`Input::DecoderFrames`]) go back. Then it arms one `setTimeout` for the core's next
//! wake-up ([`Player::poll_timeout`]). Session time is `performance.now()` since the session
//! started.
//!
//! Live: the device's wall clock (`Date.now()`) goes to the core before the load
//! ([`Input::WallClock`]); the core's rate changes set the element's `playbackRate` (the pitch
//! kept); every decoder report moves the live seekable range with the DVR window and removes
//! media long played; a refresh turning the MPD static ends the live range.
//!
//! Re-entrancy: page callbacks run after the outputs are drained, with nothing borrowed, so a
//! listener may call the player; an input arriving while the core is busy (from a custom ABR
//! function, say) waits in a queue.

use crate::events;
use crate::fetch::{self, Sink};
use crate::media::{self, MediaNotice, MediaSink};
use flick_player::presentation::TrackKind;
use flick_player::{Input, Output, Player, PlayerEvent, PlayerState, QoeConfig, RequestId, SessionReport};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, HtmlVideoElement};

/// A JavaScript callback owned by the session.
type Callback = Closure<dyn FnMut()>;

/// Page listeners by event name.
pub type Listeners = Rc<RefCell<Vec<(String, js_sys::Function)>>>;

/// A running session.
pub struct Session {
    player: RefCell<Player>,
    video: HtmlVideoElement,
    epoch_ms: f64,
    requests: RefCell<HashMap<RequestId, AbortController>>,
    media: RefCell<Option<MediaSink>>,
    pending: RefCell<VecDeque<Input>>,
    events: RefCell<VecDeque<PlayerEvent>>,
    listeners: Listeners,
    pumping: Cell<bool>,
    dispatching: Cell<bool>,
    destroyed: Cell<bool>,
    timer: Cell<Option<(i32, f64)>>,
    location: RefCell<Option<String>>,
    /// The position the session itself last sought the element to (not a viewer's seek).
    own_seek: Cell<Option<f64>>,
    on_timer: RefCell<Option<Callback>>,
    on_video: RefCell<Vec<(&'static str, Callback)>>,
    load_promise: RefCell<Option<(js_sys::Function, js_sys::Function)>>,
}

impl Session {
    /// Start a session of the MPD at `url` on `video`. `settle` is the `load()` promise's
    /// (resolve, reject): resolved once the manifest is read and the buffers exist, rejected with
    /// the error if the session fails before. A live session keeps `keep_live_behind` seconds of
    /// media behind the position.
    pub fn start(
        video: HtmlVideoElement,
        player: Player,
        url: String,
        listeners: Listeners,
        settle: (js_sys::Function, js_sys::Function),
        keep_live_behind: f64,
    ) -> Result<Rc<Session>, JsValue> {
        let performance = web_sys::window().and_then(|w| w.performance()).ok_or_else(|| {
            crate::error::js_error(crate::error::codes::UNSUPPORTED, "no performance.now()")
        })?;
        let session = Rc::new(Session {
            player: RefCell::new(player),
            video,
            epoch_ms: performance.now(),
            requests: RefCell::default(),
            media: RefCell::default(),
            pending: RefCell::default(),
            events: RefCell::default(),
            listeners,
            pumping: Cell::new(false),
            dispatching: Cell::new(false),
            destroyed: Cell::new(false),
            timer: Cell::new(None),
            location: RefCell::default(),
            own_seek: Cell::new(None),
            on_timer: RefCell::default(),
            on_video: RefCell::default(),
            load_promise: RefCell::new(Some(settle)),
        });
        session.install(keep_live_behind)?;
        // A previous session (live catch-up) may have left the element at another rate.
        session.video.set_playback_rate(1.0);
        let _ = js_sys::Reflect::set(&session.video, &"preservesPitch".into(), &JsValue::TRUE);
        let unix = js_sys::Date::now() / 1000.0;
        session.input(Input::WallClock { unix: media::secs(unix) });
        session.input(Input::Load { url });
        Ok(session)
    }

    /// Session time now.
    pub fn now(&self) -> Duration {
        let ms = web_sys::window().and_then(|w| w.performance()).map_or(self.epoch_ms, |p| p.now());
        Duration::from_secs_f64(((ms - self.epoch_ms) / 1000.0).max(0.0))
    }

    /// Set up the media source, the timers and the element's listeners.
    fn install(self: &Rc<Self>, keep_live_behind: f64) -> Result<(), JsValue> {
        let weak = Rc::downgrade(self);
        let on_open = Box::new(move || {
            if let Some(s) = weak.upgrade() {
                s.media_ready();
            }
        });
        *self.media.borrow_mut() = Some(MediaSink::attach(&self.video, keep_live_behind, on_open)?);

        let weak = Rc::downgrade(self);
        *self.on_timer.borrow_mut() = Some(Closure::wrap(Box::new(move || {
            if let Some(s) = weak.upgrade() {
                s.timer.set(None);
                s.timeout();
            }
        })));
        let mut on_video = self.on_video.borrow_mut();
        for name in ["seeking", "ended", "error"] {
            let weak = Rc::downgrade(self);
            let closure = Closure::wrap(Box::new(move || {
                if let Some(s) = weak.upgrade() {
                    s.video_event(name);
                }
            }) as Box<dyn FnMut()>);
            self.video.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())?;
            on_video.push((name, closure));
        }
        Ok(())
    }

    /// Feed one input to the core and act on what it asks.
    pub fn input(self: &Rc<Self>, input: Input) {
        if self.destroyed.get() {
            return;
        }
        match self.player.try_borrow_mut() {
            Ok(mut player) => player.handle_input(self.now(), input),
            Err(_) => self.pending.borrow_mut().push_back(input),
        }
        self.pump();
    }

    /// The core's wake-up time came.
    fn timeout(self: &Rc<Self>) {
        if let Ok(mut player) = self.player.try_borrow_mut() {
            player.handle_timeout(self.now());
        }
        self.pump();
    }

    /// Drain the core's outputs, arm the timer, then tell the page's listeners.
    fn pump(self: &Rc<Self>) {
        if self.pumping.get() || self.destroyed.get() {
            return;
        }
        self.pumping.set(true);
        loop {
            let outputs: Vec<Output> = {
                let Ok(mut player) = self.player.try_borrow_mut() else { break };
                while let Some(input) = self.pending.borrow_mut().pop_front() {
                    player.handle_input(self.now(), input);
                }
                std::iter::from_fn(|| player.poll_output()).collect()
            };
            if outputs.is_empty() {
                break;
            }
            for output in outputs {
                self.execute(output);
            }
        }
        self.pumping.set(false);
        self.arm_timer();
        self.dispatch();
    }

    fn execute(self: &Rc<Self>, output: Output) {
        match output {
            Output::Fetch(request) => {
                let id = request.id;
                match fetch::start(Rc::downgrade(self), request) {
                    Some(controller) => {
                        self.requests.borrow_mut().insert(id, controller);
                    }
                    None => self.pending.borrow_mut().push_back(Input::Failed {
                        id,
                        error: flick_player::FetchError::Transport("AbortController unavailable".into()),
                    }),
                }
            }
            Output::Cancel(id) => {
                if let Some(controller) = self.requests.borrow_mut().remove(&id) {
                    controller.abort();
                }
            }
            Output::Append(append) => {
                if let Some(media) = self.media.borrow_mut().as_mut() {
                    media.push(append);
                }
                self.kick_media();
            }
            Output::EndOfStream { track } => {
                if let Some(media) = self.media.borrow_mut().as_mut() {
                    media.end_track(track);
                }
                self.kick_media();
            }
            Output::ReportDecoder => self.report_decoder(),
            Output::SetPlaybackRate { rate } => {
                if rate.is_finite() && rate > 0.0 {
                    self.video.set_playback_rate(rate);
                }
            }
            Output::Flush { position } => {
                if let Some(media) = self.media.borrow_mut().as_mut() {
                    media.flush();
                }
                let seconds = position.as_secs_f64();
                self.own_seek.set(Some(seconds));
                self.video.set_current_time(seconds);
                self.kick_media();
            }
            Output::Event(event) => {
                self.on_core_event(&event);
                self.events.borrow_mut().push_back(event);
            }
        }
    }

    /// What the driver itself does on a core event: follow the state with the element, create
    /// the buffers once the manifest is read, settle the `load()` promise.
    fn on_core_event(self: &Rc<Self>, event: &PlayerEvent) {
        match event {
            PlayerEvent::StateChanged { to, .. } => match to {
                PlayerState::Playing => {
                    // A refused autoplay is the page's business (it shows a play button), and a
                    // play() cut short by a new load is expected: the rejection is consumed.
                    if let Ok(promise) = self.video.play() {
                        wasm_bindgen_futures::spawn_local(async move {
                            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                        });
                    }
                }
                PlayerState::Paused | PlayerState::Failed => {
                    let _ = self.video.pause();
                }
                _ => {}
            },
            PlayerEvent::PresentationLoaded { .. } => self.media_ready(),
            PlayerEvent::LocationChanged { to, .. } => *self.location.borrow_mut() = Some(to.clone()),
            PlayerEvent::ManifestUpdated { dynamic: false, .. } => {
                let duration = self
                    .player
                    .try_borrow()
                    .ok()
                    .and_then(|p| p.presentation().and_then(|pr| pr.duration))
                    .map(|d| d.as_secs_f64());
                if let Some(media) = self.media.borrow_mut().as_mut() {
                    media.end_live(duration);
                }
                self.kick_media();
            }
            PlayerEvent::Error { error } => self.settle(Err(crate::error::player_error(error))),
            _ => {}
        }
    }

    /// The media source opened or the manifest was read: once both, create the buffers.
    fn media_ready(self: &Rc<Self>) {
        let created = {
            let Ok(player) = self.player.try_borrow() else { return };
            let mut media = self.media.borrow_mut();
            let (Some(media), Some(presentation)) = (media.as_mut(), player.presentation()) else { return };
            if !media.is_open() || media.has_buffers() {
                return;
            }
            let window = live_window(&player, self.now());
            let weak = Rc::downgrade(self);
            let on_update_end = move |kind: TrackKind| {
                let weak = weak.clone();
                Box::new(move || {
                    if let Some(s) = weak.upgrade() {
                        s.update_end(kind);
                    }
                }) as Box<dyn FnMut()>
            };
            media.create_buffers(presentation, window, &|kind| player.selected_track(kind), &on_update_end)
        };
        match created {
            Ok(()) => {
                self.settle(Ok(()));
                self.kick_media();
            }
            Err(message) => {
                let error = crate::error::js_error(crate::error::codes::UNSUPPORTED, &message);
                self.emit_js("error", &error);
                self.settle(Err(error));
            }
        }
    }

    fn update_end(self: &Rc<Self>, kind: TrackKind) {
        let notices = match self.media.borrow_mut().as_mut() {
            Some(media) => media.update_end(kind, &self.video),
            None => return,
        };
        self.media_notices(notices);
    }

    fn kick_media(self: &Rc<Self>) {
        let notices = match self.media.borrow_mut().as_mut() {
            Some(media) => media.kick(&self.video),
            None => return,
        };
        self.media_notices(notices);
    }

    fn media_notices(self: &Rc<Self>, notices: Vec<MediaNotice>) {
        for notice in notices {
            match notice {
                MediaNotice::Buffered(input) => {
                    if self.pumping.get() {
                        self.pending.borrow_mut().push_back(input);
                    } else {
                        self.input(input);
                    }
                }
                MediaNotice::Error(message) => {
                    let error = crate::error::js_error(crate::error::codes::MEDIA, &message);
                    self.emit_js("error", &error);
                }
            }
        }
    }

    /// The core asked for the decoder's state: the element's position (when it plays, or is
    /// paused, where it knows it: a starved element stands still and the core sees the stall), its
    /// frame counters, and appends that waited for room try again.
    fn report_decoder(self: &Rc<Self>) {
        let video = &self.video;
        // HAVE_FUTURE_DATA (3): data beyond the current frame; HAVE_METADATA (1): a position.
        let playing = !video.paused() && !video.seeking() && !video.ended() && video.ready_state() >= 3;
        let paused = video.paused() && !video.seeking() && video.ready_state() >= 1;
        if playing || paused {
            self.pending
                .borrow_mut()
                .push_back(Input::Playback { position: media::secs(video.current_time()) });
        }
        let quality = video.get_video_playback_quality();
        let decoded = quality.total_video_frames() as u64;
        if decoded > 0 {
            let dropped = quality.dropped_video_frames() as u64;
            self.pending.borrow_mut().push_back(Input::DecoderFrames { decoded, dropped });
        }
        let window = self.player.try_borrow().ok().and_then(|p| live_window(&p, self.now()));
        let notices = match self.media.borrow_mut().as_mut() {
            Some(media) => {
                if let Some((start, end)) = window {
                    media.set_live_window(start, end);
                }
                let evicting = (playing || paused) && media.evict_behind(video.current_time());
                let mut notices = media.retry_waiting(video);
                if evicting {
                    notices.extend(media.kick(video));
                }
                notices
            }
            None => Vec::new(),
        };
        self.media_notices(notices);
    }

    /// A viewer's seek through the element's own controls becomes a core seek; an element error
    /// reaches the page's `error` listeners.
    fn video_event(self: &Rc<Self>, name: &str) {
        let t = self.video.current_time();
        match name {
            "seeking" => {
                if let Some(own) = self.own_seek.take()
                    && (own - t).abs() < 0.05
                {
                    return;
                }
                let core =
                    self.player.try_borrow().map(|p| p.position(self.now()).as_secs_f64()).unwrap_or(t);
                if (core - t).abs() > 0.5 {
                    self.input(Input::Seek { position: media::secs(t) });
                }
            }
            "ended" => self.input(Input::Playback { position: media::secs(t) }),
            "error" => {
                let message = self.video.error().map_or_else(
                    || "the media element failed".to_string(),
                    |e| format!("media error {}: {}", e.code(), e.message()),
                );
                self.emit_js("error", &crate::error::js_error(crate::error::codes::MEDIA, &message));
            }
            _ => {}
        }
    }

    fn arm_timer(self: &Rc<Self>) {
        let Ok(player) = self.player.try_borrow() else { return };
        let next = player.poll_timeout();
        drop(player);
        let Some(window) = web_sys::window() else { return };
        let wanted = next.map(|t| t.as_secs_f64() * 1000.0);
        if let Some((id, at)) = self.timer.get() {
            if wanted == Some(at) {
                return;
            }
            window.clear_timeout_with_handle(id);
            self.timer.set(None);
        }
        let (Some(at), Some(callback)) =
            (wanted, self.on_timer.borrow().as_ref().map(|c| c.as_ref().clone()))
        else {
            return;
        };
        let now_ms = self.now().as_secs_f64() * 1000.0;
        let delay = (at - now_ms).ceil().clamp(0.0, 1e9) as i32;
        if let Ok(id) =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), delay)
        {
            self.timer.set(Some((id, at)));
        }
    }

    /// Tell the page's listeners about the events queued so far.
    fn dispatch(self: &Rc<Self>) {
        if self.dispatching.get() {
            return;
        }
        self.dispatching.set(true);
        loop {
            let Some(event) = self.events.borrow_mut().pop_front() else { break };
            let (name, detail) = events::to_js(&event);
            let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
            self.emit_js(name, &detail);
        }
        self.dispatching.set(false);
    }

    /// Call the listeners of `name` (and of `*`) with `detail`.
    pub fn emit_js(&self, name: &str, detail: &JsValue) {
        let listeners: Vec<js_sys::Function> = self
            .listeners
            .borrow()
            .iter()
            .filter(|(n, _)| n == name || n == "*")
            .map(|(_, f)| f.clone())
            .collect();
        for listener in listeners {
            if let Err(e) = listener.call1(&JsValue::NULL, detail) {
                web_sys::console::error_2(&format!("flick: a '{name}' listener threw").into(), &e);
            }
        }
    }

    fn settle(&self, result: Result<(), JsValue>) {
        if let Some((resolve, reject)) = self.load_promise.borrow_mut().take() {
            let _ = match result {
                Ok(()) => resolve.call0(&JsValue::NULL),
                Err(e) => reject.call1(&JsValue::NULL, &e),
            };
        }
    }

    /// Run `f` on the core, if it is not busy.
    pub fn with_player<T>(&self, f: impl FnOnce(&Player) -> T) -> Option<T> {
        self.player.try_borrow().ok().map(|p| f(&p))
    }

    /// The session report as of now.
    pub fn report(&self) -> Option<SessionReport> {
        let now = self.now();
        self.with_player(|p| p.report(now, "web", None, QoeConfig::default()))
    }

    /// Appends the browser refused for lack of room so far.
    pub fn quota_errors(&self) -> u32 {
        self.media.borrow().as_ref().map_or(0, MediaSink::quota_errors)
    }

    /// The location media requests go to now.
    pub fn location(&self) -> Option<String> {
        self.location.borrow().clone()
    }

    /// The element played.
    pub fn video(&self) -> &HtmlVideoElement {
        &self.video
    }

    /// Stop everything: abort every request, clear the timers, detach the media source and drop
    /// the listeners. The session does nothing afterwards.
    pub fn destroy(&self) {
        if self.destroyed.replace(true) {
            return;
        }
        for (_, controller) in self.requests.borrow_mut().drain() {
            controller.abort();
        }
        if let (Some(window), Some((id, _))) = (web_sys::window(), self.timer.take()) {
            window.clear_timeout_with_handle(id);
        }
        for (name, closure) in self.on_video.borrow_mut().drain(..) {
            let _ = self.video.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        if let Some(mut media) = self.media.borrow_mut().take() {
            media.detach(&self.video);
        }
        self.settle(Err(crate::error::js_error(
            crate::error::codes::INVALID_STATE,
            "the player was destroyed",
        )));
    }
}

/// The DVR window of a live presentation at `now` (seconds on the presentation timeline): the
/// oldest position still available and the live edge.
fn live_window(player: &Player, now: Duration) -> Option<(f64, f64)> {
    if !player.presentation().is_some_and(|p| p.is_live()) {
        return None;
    }
    let (start, end) = player.status(now).live?.window;
    Some((start.as_secs_f64(), end.as_secs_f64()))
}

impl Drop for Session {
    fn drop(&mut self) {
        // A page that drops the player without `destroy()` leaves no timer calling into freed code.
        self.destroy();
    }
}

impl Sink for Session {
    fn deliver(self: &Rc<Self>, id: RequestId, input: Input) -> bool {
        if self.destroyed.get() {
            return false;
        }
        // An answer to a request the core cancelled is handed over all the same (the core ignores
        // it); the task is told to stop.
        let live = if input.ends_request() {
            self.requests.borrow_mut().remove(&id).is_some()
        } else {
            self.requests.borrow().contains_key(&id)
        };
        self.input(input);
        live
    }
}
