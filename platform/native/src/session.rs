//! One native session: the player core on a tokio runtime and a monotonic clock.
//!
//! The loop has the simulator's shape (`flick_platform::sim::session`) on a real clock: after every
//! input or timeout it drains [`Player::poll_output`] (starting a network task per fetch, aborting
//! the task of every cancelled request), then waits for whichever comes first: a message from a
//! network task, the core's next wake-up ([`Player::poll_timeout`]), a status-line tick, the
//! duration limit or a stop request. Session time is the [`Duration`] since the session started.
//!
//! Headless, nothing decodes: appended media is dropped and the buffer drains by the core's own
//! playback clock (no [`flick_player::Input::Playback`] reports).

use crate::error::NativeError;
use crate::fetch::{FetchConfig, Fetcher, LiveTasks, NetEvent, NetMessage};
use crate::status::StatusLine;
use flick_player::{Input, Output, Player, PlayerConfig, PlayerState, QoeConfig, RequestId, SessionReport};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

/// Messages the network tasks may queue before they wait for the loop.
const CHANNEL: usize = 256;

/// What a headless session plays with.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadlessOptions {
    /// ABR algorithm name (see [`flick_abr::names`]).
    pub abr: String,
    /// Player configuration.
    pub player: PlayerConfig,
    /// Stop after this long (session time), if the stream has not ended or failed before.
    pub duration: Option<Duration>,
    /// Print the live status line on stderr.
    pub status: bool,
}

impl Default for HeadlessOptions {
    fn default() -> Self {
        HeadlessOptions {
            abr: "flick".into(),
            player: PlayerConfig::default(),
            duration: None,
            status: false,
        }
    }
}

/// Asks a running session to stop (it then returns its report as of that moment).
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<Notify>);

impl StopHandle {
    /// Stop the session (now if it runs, at its start otherwise).
    pub fn stop(&self) {
        self.0.notify_one();
    }
}

/// One session of the native driver, ready to [`NativeSession::run`].
pub struct NativeSession {
    url: String,
    player: Player,
    duration: Option<Duration>,
    status: bool,
    fetch: FetchConfig,
    live: LiveTasks,
    stop: StopHandle,
}

impl NativeSession {
    /// A headless session of the MPD at `url`.
    pub fn headless(url: &str, options: HeadlessOptions) -> Result<Self, NativeError> {
        let abr = flick_abr::by_name(&options.abr)?;
        Ok(NativeSession {
            url: url.to_string(),
            player: Player::new(options.player, abr),
            duration: options.duration,
            status: options.status,
            fetch: FetchConfig::default(),
            live: LiveTasks::default(),
            stop: StopHandle::default(),
        })
    }

    /// Make requests this way rather than with [`FetchConfig::default`].
    pub fn with_fetch_config(mut self, fetch: FetchConfig) -> Self {
        self.fetch = fetch;
        self
    }

    /// A view of how many network tasks are alive.
    pub fn live_tasks(&self) -> LiveTasks {
        self.live.clone()
    }

    /// A handle that stops the session from elsewhere (a Ctrl-C handler).
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Play until the core reaches `Ended` or `Failed`, the duration has elapsed or a stop is
    /// asked for, and return the session report. Every network task has finished when it returns.
    pub async fn run(self) -> Result<SessionReport, NativeError> {
        let NativeSession { url, mut player, duration, status, fetch, live, stop } = self;
        let (tx, mut rx) = mpsc::channel(CHANNEL);
        let fetcher = Fetcher::new(&fetch, tx, live)?;
        let mut status = StatusLine::new(status);
        let mut ticker = tokio::time::interval(status.period());
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let start = Instant::now();
        let deadline = duration.map(|d| start + d);
        let never = start + Duration::from_secs(100 * 365 * 24 * 3600);
        let mut tasks: HashMap<RequestId, JoinHandle<()>> = HashMap::new();
        player.handle_input(Duration::ZERO, Input::Load { url });
        loop {
            let now = start.elapsed();
            while let Some(output) = player.poll_output() {
                match output {
                    Output::Fetch(request) => {
                        let id = request.id;
                        tasks.insert(id, fetcher.start(request));
                    }
                    Output::Cancel(id) => {
                        if let Some(task) = tasks.remove(&id) {
                            task.abort();
                        }
                    }
                    Output::Append(_) | Output::Flush { .. } => {}
                    Output::Event(event) => status.event(now, &event),
                }
            }
            if matches!(player.state(), PlayerState::Ended | PlayerState::Failed) {
                break;
            }
            let wake = player.poll_timeout().map(|t| start + t);
            tokio::select! {
                () = stop.0.notified() => break,
                () = sleep_until(deadline.unwrap_or(never)), if deadline.is_some() => break,
                message = rx.recv() => {
                    // The fetcher holds a sender, so the channel never closes while the loop runs.
                    let Some(message) = message else { break };
                    if let Some(input) = accept(&mut tasks, message) {
                        player.handle_input(start.elapsed(), input);
                    }
                }
                () = sleep_until(wake.unwrap_or(never)), if wake.is_some() => {
                    player.handle_timeout(start.elapsed());
                }
                _ = ticker.tick(), if status.enabled() => status.draw(&player, start.elapsed()),
            }
        }
        let end = start.elapsed();
        status.finish(&player, end);
        drop(rx);
        for (_, task) in tasks.drain() {
            task.abort();
            let _ = task.await;
        }
        Ok(player.report(end, "native", None, QoeConfig::default()))
    }
}

/// The input a network message makes, or `None` for a request no longer wanted (cancelled after
/// the task had queued the message). A request that ends leaves `tasks`.
fn accept(tasks: &mut HashMap<RequestId, JoinHandle<()>>, message: NetMessage) -> Option<Input> {
    let id = message.id;
    if !tasks.contains_key(&id) {
        return None;
    }
    Some(match message.event {
        NetEvent::Started(content_length) => Input::ResponseStarted { id, content_length },
        NetEvent::Data(len, chunk) => Input::Data { id, len, chunk },
        NetEvent::Complete => {
            tasks.remove(&id);
            Input::Complete { id }
        }
        NetEvent::Failed(error) => {
            tasks.remove(&id);
            Input::Failed { id, error }
        }
    })
}

/// Play the MPD at `url` headless: fetch as the core asks, decode nothing, and return the
/// session report once the stream has ended or failed, or `options.duration` has elapsed.
///
/// A session that fails (every location dead, a broken manifest) still returns `Ok`: its report's
/// `error` says why. `Err` means the session could not start.
pub async fn play_headless(url: &str, options: HeadlessOptions) -> Result<SessionReport, NativeError> {
    NativeSession::headless(url, options)?.run().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_of_cancelled_requests_are_dropped() {
        let mut tasks = HashMap::new();
        let id = RequestId(7);
        tasks.insert(id, tokio::spawn(async {}));
        let data = |id| NetMessage { id, event: NetEvent::Data(3, Default::default()) };
        assert!(matches!(accept(&mut tasks, data(id)), Some(Input::Data { len: 3, .. })));
        assert!(accept(&mut tasks, data(RequestId(8))).is_none(), "never started");
        assert!(matches!(
            accept(&mut tasks, NetMessage { id, event: NetEvent::Complete }),
            Some(Input::Complete { .. })
        ));
        assert!(accept(&mut tasks, data(id)).is_none(), "already complete");
    }

    #[tokio::test]
    async fn an_unknown_algorithm_is_an_error() {
        let options = HeadlessOptions { abr: "nope".into(), ..HeadlessOptions::default() };
        assert!(matches!(
            NativeSession::headless("http://127.0.0.1:9/a.mpd", options),
            Err(NativeError::UnknownAbr(_))
        ));
    }

    #[tokio::test]
    async fn a_refused_manifest_fails_the_session_with_a_typed_error() {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused.
        let player = PlayerConfig { give_up_after: Duration::from_millis(300), ..PlayerConfig::default() };
        let options = HeadlessOptions { player, ..HeadlessOptions::default() };
        let session = NativeSession::headless("http://127.0.0.1:9/a.mpd", options).unwrap();
        let live = session.live_tasks();
        let report = tokio::time::timeout(Duration::from_secs(10), session.run()).await.unwrap().unwrap();
        let error = report.error.expect("an error");
        assert_eq!(error.kind, "all_locations_failed", "{}", error.message);
        assert!(error.message.contains("Reset"), "{}", error.message);
        assert_eq!(live.count(), 0);
    }
}
