//! Making the core's requests with reqwest: one tokio task per [`FetchRequest`], the body streamed
//! chunk by chunk, every outcome reported back to the session loop as the core's [`Input`], and
//! transport errors mapped onto the core's [`FetchError`] kinds.
//!
//! The tasks own no policy beyond a connect timeout (a transport guard): the core decides when a
//! silent or stalled request is given up (the session loop then aborts its task), whether a body
//! that ended is complete, and what to do with answers to requests it no longer wants.

use crate::error::NativeError;
use flick_player::{Chunk, FetchError, FetchRequest, Input, RequestKind};
use futures_util::StreamExt;
use std::error::Error as StdError;
use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How the native driver makes requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchConfig {
    /// Longest wait for a connection (TCP, and TLS where used). A guard against a dead host
    /// only: the core owns the first-byte and stall timeouts.
    pub connect_timeout: Duration,
    /// Hand media bodies to the core (a driver that decodes them). Off, media chunks go in as
    /// lengths only; manifests and segment indexes are always handed over, the core parses them.
    pub keep_media: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig { connect_timeout: Duration::from_secs(2), keep_media: false }
    }
}

/// How many network tasks are alive (spawned and not yet finished or dropped after an abort).
///
/// Cloning gives another view of the same count. Tests use it to check that cancelled requests
/// leave nothing running.
#[derive(Clone, Debug, Default)]
pub struct LiveTasks(Arc<AtomicUsize>);

impl LiveTasks {
    /// Tasks alive now.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn enter(&self) -> TaskGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        TaskGuard(self.0.clone())
    }
}

/// Counts one task as alive until dropped (with the task's future, also when it is aborted).
struct TaskGuard(Arc<AtomicUsize>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts network tasks that report to one session loop.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    keep_media: bool,
    tx: mpsc::Sender<Input>,
    live: LiveTasks,
}

impl Fetcher {
    /// A fetcher whose tasks send their messages to `tx` and count themselves in `live`.
    pub fn new(config: &FetchConfig, tx: mpsc::Sender<Input>, live: LiveTasks) -> Result<Self, NativeError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("flick/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Fetcher { client, keep_media: config.keep_media, tx, live })
    }

    /// Start `request` on a task of the current runtime.
    pub fn start(&self, request: FetchRequest) -> JoinHandle<()> {
        let guard = self.live.enter();
        let keep = self.keep_media
            || matches!(request.kind, RequestKind::Manifest | RequestKind::Index | RequestKind::Steering);
        let client = self.client.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _guard = guard;
            fetch(client, request, keep, tx).await;
        })
    }
}

/// Make one request and report on it until it ends (or the session loop goes away).
async fn fetch(client: reqwest::Client, request: FetchRequest, keep: bool, tx: mpsc::Sender<Input>) {
    let id = request.id;
    let send = |input: Input| {
        let tx = tx.clone();
        async move { tx.send(input).await.is_ok() }
    };
    let mut builder = client.get(&request.url);
    if let Some(range) = request.range {
        builder = builder.header(reqwest::header::RANGE, format!("bytes={}-{}", range.start, range.end));
    }
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(e) => {
            send(Input::Failed { id, error: classify(&e) }).await;
            return;
        }
    };
    let status = response.status();
    if !status.is_success() {
        send(Input::Failed { id, error: FetchError::Http(status.as_u16()) }).await;
        return;
    }
    let content_length = response.content_length();
    if !send(Input::ResponseStarted { id, content_length }).await {
        return;
    }
    let mut body = response.bytes_stream();
    while let Some(item) = body.next().await {
        let input = match item {
            Ok(chunk) if chunk.is_empty() => continue,
            Ok(chunk) if keep => Input::Data { id, chunk: Chunk::Bytes(chunk) },
            Ok(chunk) => Input::Data { id, chunk: Chunk::Counted(chunk.len() as u64) },
            Err(e) => Input::Failed { id, error: classify(&e) },
        };
        let last = input.ends_request();
        if !send(input).await || last {
            return;
        }
    }
    send(Input::Complete { id }).await;
}

/// The core's name for a reqwest failure (a connection closed mid-body is a reset; the core knows
/// whether that cut the body short).
pub(crate) fn classify(error: &reqwest::Error) -> FetchError {
    if error.is_timeout() {
        return FetchError::Timeout;
    }
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(kind) = io_kind(io.kind())
        {
            return kind;
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return FetchError::Reset;
            }
            if h.is_timeout() {
                return FetchError::Timeout;
            }
        }
        source = e.source();
    }
    FetchError::Transport(message_chain(error))
}

fn io_kind(kind: ErrorKind) -> Option<FetchError> {
    match kind {
        ErrorKind::ConnectionRefused
        | ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::NotConnected
        | ErrorKind::UnexpectedEof => Some(FetchError::Reset),
        ErrorKind::TimedOut => Some(FetchError::Timeout),
        _ => None,
    }
}

/// `error: cause: cause ...`, each distinct message once.
fn message_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let message = e.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_map_to_the_core_kinds() {
        assert_eq!(io_kind(ErrorKind::ConnectionRefused), Some(FetchError::Reset));
        assert_eq!(io_kind(ErrorKind::ConnectionReset), Some(FetchError::Reset));
        assert_eq!(io_kind(ErrorKind::UnexpectedEof), Some(FetchError::Reset));
        assert_eq!(io_kind(ErrorKind::TimedOut), Some(FetchError::Timeout));
        assert_eq!(io_kind(ErrorKind::InvalidData), None);
    }

    #[test]
    fn live_tasks_count_guards() {
        let live = LiveTasks::default();
        let a = live.enter();
        let b = live.clone().enter();
        assert_eq!(live.count(), 2);
        drop(a);
        drop(b);
        assert_eq!(live.count(), 0);
    }
}
