//! Making the core's requests with reqwest: one tokio task per [`FetchRequest`], the body streamed
//! chunk by chunk, every outcome reported back to the session loop as the core's [`Input`], and
//! transport errors mapped onto the core's [`FetchError`] kinds.
//!
//! The tasks own no policy beyond transport guards: the core decides when a silent or stalled
//! request is given up (the session loop then aborts its task), whether a body that ended is
//! complete, and what to do with answers to requests it no longer wants. The guards, set in
//! [`FetchConfig`], keep a hostile or broken server from taking the player down:
//!
//! - only `http` and `https` URLs are fetched: any other scheme fails the request
//!   ([`FetchError::Transport`]) before a connection is made;
//! - at most [`MAX_REDIRECTS`] redirects are followed, never from `https` to `http`, never to
//!   another scheme;
//! - a body may hold at most its request kind's [`BodyLimits`]: a `Content-Length` above it fails
//!   the request at once, a body that grows past it is stopped there and fails;
//! - a connection must be made within [`FetchConfig::connect_timeout`] and the response's head
//!   must arrive within [`FetchConfig::first_byte_timeout`] (both well above the core's own
//!   limits, which stay the real policy).

use crate::error::NativeError;
use flick_player::{Chunk, FetchError, FetchRequest, Input, RequestKind};
use futures_util::StreamExt;
use reqwest::Url;
use std::error::Error as StdError;
use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most redirects one request follows (a longer chain fails the request).
pub const MAX_REDIRECTS: usize = 3;

const MIB: u64 = 1024 * 1024;

/// The largest body each kind of request may have, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimits {
    /// The MPD (16 MiB).
    pub manifest: u64,
    /// A segment index, `sidx` (16 MiB).
    pub index: u64,
    /// An initialization segment (16 MiB).
    pub init: u64,
    /// A content-steering answer (1 MiB).
    pub steering: u64,
    /// A media segment (256 MiB).
    pub media: u64,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits { manifest: 16 * MIB, index: 16 * MIB, init: 16 * MIB, steering: MIB, media: 256 * MIB }
    }
}

impl BodyLimits {
    /// The limit for a request of `kind`.
    pub fn of(&self, kind: RequestKind) -> u64 {
        match kind {
            RequestKind::Manifest => self.manifest,
            RequestKind::Index => self.index,
            RequestKind::Init => self.init,
            RequestKind::Steering | RequestKind::Clock => self.steering,
            RequestKind::Media => self.media,
        }
    }
}

/// How the native driver makes requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchConfig {
    /// Longest wait for a connection (TCP, and TLS where used). A guard against a dead host
    /// only: the core owns the first-byte and stall timeouts.
    pub connect_timeout: Duration,
    /// Longest wait from sending a request to the response's head. A guard only, well above the
    /// core's first-byte timeout (which a [`flick_player::PlayerConfig`] may turn off).
    pub first_byte_timeout: Duration,
    /// Most redirects followed per request (never from `https` to `http`).
    pub max_redirects: usize,
    /// The largest body each kind of request may have.
    pub body_limits: BodyLimits,
    /// Hand media bodies to the core (a driver that decodes them). Off, media chunks go in as
    /// lengths only; manifests and segment indexes are always handed over, the core parses them.
    pub keep_media: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(2),
            first_byte_timeout: Duration::from_secs(30),
            max_redirects: MAX_REDIRECTS,
            body_limits: BodyLimits::default(),
            keep_media: false,
        }
    }
}

impl FetchConfig {
    /// A reqwest client with this configuration's connect timeout and redirect policy (the other
    /// limits apply per request: see [`fetch_whole`]).
    pub fn client(&self) -> Result<reqwest::Client, reqwest::Error> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .redirect(redirect_policy(self.max_redirects))
            .user_agent(concat!("flick/", env!("CARGO_PKG_VERSION")))
            .build()
    }
}

/// Why a redirect is not followed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RedirectRefusal {
    /// The chain is longer than the limit.
    #[error("more than {0} redirects")]
    TooMany(usize),
    /// From `https` to `http`.
    #[error("redirect from https to {0} refused (no downgrade to plain http)")]
    Downgrade(Url),
    /// To a scheme other than `http` and `https`.
    #[error("redirect to {0} refused: only http and https URLs are fetched")]
    Scheme(Url),
}

/// Whether a request that went through `previous` (the first request first) may be redirected to
/// `next`: `None` when it may.
pub fn redirect_refusal(previous: &[Url], next: &Url, max: usize) -> Option<RedirectRefusal> {
    if previous.len() > max {
        return Some(RedirectRefusal::TooMany(max));
    }
    if !matches!(next.scheme(), "http" | "https") {
        return Some(RedirectRefusal::Scheme(next.clone()));
    }
    if next.scheme() == "http" && previous.iter().any(|url| url.scheme() == "https") {
        return Some(RedirectRefusal::Downgrade(next.clone()));
    }
    None
}

fn redirect_policy(max: usize) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        match redirect_refusal(attempt.previous(), attempt.url(), max) {
            None => attempt.follow(),
            Some(refusal) => attempt.error(refusal),
        }
    })
}

/// `url` parsed, when it is an `http` or `https` URL; the request's failure otherwise.
fn checked_url(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url).map_err(|e| FetchError::Transport(format!("bad URL {url:?}: {e}")))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        scheme => {
            Err(FetchError::Transport(format!("{scheme}: URLs are not fetched, only http and https ({url})")))
        }
    }
}

/// The failure of a body larger than `limit`.
fn too_large(kind: RequestKind, size: u64, announced: bool, limit: u64) -> FetchError {
    let what = if announced { "announces" } else { "has at least" };
    FetchError::Transport(format!(
        "response too large: the {} body {what} {size} bytes, more than the limit of {limit}",
        kind_name(kind)
    ))
}

fn kind_name(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Manifest => "manifest",
        RequestKind::Index => "segment index",
        RequestKind::Init => "init segment",
        RequestKind::Media => "media segment",
        RequestKind::Steering => "steering",
        RequestKind::Clock => "clock",
    }
}

/// Counts a body's bytes against its limit.
struct BodyBudget {
    kind: RequestKind,
    limit: u64,
    seen: u64,
}

impl BodyBudget {
    /// Take `len` more bytes, or fail when that goes past the limit.
    fn take(&mut self, len: usize) -> Result<(), FetchError> {
        let seen = self.seen.saturating_add(len as u64);
        if seen > self.limit {
            return Err(too_large(self.kind, seen, false, self.limit));
        }
        self.seen = seen;
        Ok(())
    }
}

/// Send a request and wait for the head of a successful response whose announced length is
/// within the limit: the response and the budget its body is read against.
async fn open(
    client: &reqwest::Client,
    config: &FetchConfig,
    request: &FetchRequest,
) -> Result<(reqwest::Response, BodyBudget), FetchError> {
    let url = checked_url(&request.url)?;
    let mut builder = match request.method {
        flick_player::io::Method::Get => client.get(url),
        flick_player::io::Method::Head => client.head(url),
    };
    if let Some(range) = request.range {
        builder = builder.header(reqwest::header::RANGE, format!("bytes={}-{}", range.start, range.end));
    }
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = match tokio::time::timeout(config.first_byte_timeout, builder.send()).await {
        Err(_) => return Err(FetchError::Timeout),
        Ok(Err(e)) => return Err(classify(&e)),
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Http(status.as_u16()));
    }
    let limit = config.body_limits.of(request.kind);
    if let Some(length) = response.content_length()
        && length > limit
    {
        return Err(too_large(request.kind, length, true, limit));
    }
    Ok((response, BodyBudget { kind: request.kind, limit, seen: 0 }))
}

/// Fetch `url` whole as a request of `kind` (with the same limits as the session's requests):
/// what `flick inspect` reads a manifest with.
pub async fn fetch_whole(
    client: &reqwest::Client,
    config: &FetchConfig,
    url: &str,
    kind: RequestKind,
) -> Result<Vec<u8>, FetchError> {
    let request = FetchRequest {
        id: flick_player::RequestId(0),
        url: url.to_string(),
        range: None,
        kind,
        track: None,
        location: None,
        headers: Vec::new(),
        method: flick_player::io::Method::Get,
    };
    let (response, mut budget) = open(client, config, &request).await?;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(item) = stream.next().await {
        let chunk = item.map_err(|e| classify(&e))?;
        budget.take(chunk.len())?;
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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
    config: Arc<FetchConfig>,
    tx: mpsc::Sender<Input>,
    live: LiveTasks,
}

impl Fetcher {
    /// A fetcher whose tasks send their messages to `tx` and count themselves in `live`.
    pub fn new(config: &FetchConfig, tx: mpsc::Sender<Input>, live: LiveTasks) -> Result<Self, NativeError> {
        Ok(Fetcher { client: config.client()?, config: Arc::new(config.clone()), tx, live })
    }

    /// Start `request` on a task of the current runtime.
    pub fn start(&self, request: FetchRequest) -> JoinHandle<()> {
        let guard = self.live.enter();
        let client = self.client.clone();
        let config = self.config.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _guard = guard;
            fetch(client, &config, request, tx).await;
        })
    }
}

/// Make one request and report on it until it ends (or the session loop goes away).
async fn fetch(
    client: reqwest::Client,
    config: &FetchConfig,
    request: FetchRequest,
    tx: mpsc::Sender<Input>,
) {
    let id = request.id;
    let keep = config.keep_media
        || matches!(
            request.kind,
            RequestKind::Manifest | RequestKind::Index | RequestKind::Steering | RequestKind::Clock
        );
    let send = |input: Input| {
        let tx = tx.clone();
        async move { tx.send(input).await.is_ok() }
    };
    let (response, mut budget) = match open(&client, config, &request).await {
        Ok(opened) => opened,
        Err(error) => {
            send(Input::Failed { id, error }).await;
            return;
        }
    };
    if response.url().as_str() != request.url
        && !send(Input::Redirected { id, url: response.url().to_string() }).await
    {
        return;
    }
    let content_length = match request.method {
        flick_player::io::Method::Get => response.content_length(),
        // A HEAD response announces the length of a body it does not send.
        flick_player::io::Method::Head => None,
    };
    if !send(Input::ResponseStarted { id, content_length }).await {
        return;
    }
    let date = response.headers().get(reqwest::header::DATE).and_then(|d| d.to_str().ok());
    if let Some(date) = date
        && !send(Input::ServerDate { id, date: date.to_string() }).await
    {
        return;
    }
    let mut body = response.bytes_stream();
    while let Some(item) = body.next().await {
        let input = match item {
            Ok(chunk) if chunk.is_empty() => continue,
            // The rest of the body is not read: dropping the stream closes the connection.
            Ok(chunk) => match budget.take(chunk.len()) {
                Err(error) => Input::Failed { id, error },
                Ok(()) if keep => Input::Data { id, chunk: Chunk::Bytes(chunk) },
                Ok(()) => Input::Data { id, chunk: Chunk::Counted(chunk.len() as u64) },
            },
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
mod tests;
