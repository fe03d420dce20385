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
            RequestKind::Steering => self.steering,
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
    let mut builder = client.get(url);
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
        || matches!(request.kind, RequestKind::Manifest | RequestKind::Index | RequestKind::Steering);
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
    let content_length = response.content_length();
    if !send(Input::ResponseStarted { id, content_length }).await {
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
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

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

    fn urls(list: &[&str]) -> Vec<Url> {
        list.iter().map(|u| Url::parse(u).unwrap()).collect()
    }

    #[test]
    fn redirects_stop_after_the_cap_and_never_downgrade() {
        let next = Url::parse("http://b.example/x").unwrap();
        let secure = Url::parse("https://b.example/x").unwrap();
        // The third redirect is followed, the fourth is not.
        assert_eq!(redirect_refusal(&urls(&["http://a/1", "http://a/2", "http://a/3"]), &next, 3), None);
        assert_eq!(
            redirect_refusal(&urls(&["http://a/1", "http://a/2", "http://a/3", "http://a/4"]), &next, 3),
            Some(RedirectRefusal::TooMany(3))
        );
        // Up to https is fine, from https down to http is not, even a hop later.
        assert_eq!(redirect_refusal(&urls(&["http://a/1"]), &secure, 3), None);
        assert_eq!(redirect_refusal(&urls(&["https://a/1"]), &secure, 3), None);
        assert_eq!(
            redirect_refusal(&urls(&["https://a/1"]), &next, 3),
            Some(RedirectRefusal::Downgrade(next.clone()))
        );
        assert_eq!(
            redirect_refusal(&urls(&["https://a/1", "https://a/2"]), &next, 3),
            Some(RedirectRefusal::Downgrade(next.clone()))
        );
        for other in ["file:///etc/passwd", "ftp://a/x", "data:text/plain,hi"] {
            let other = Url::parse(other).unwrap();
            assert_eq!(
                redirect_refusal(&urls(&["http://a/1"]), &other, 3),
                Some(RedirectRefusal::Scheme(other.clone()))
            );
        }
    }

    #[test]
    fn each_kind_has_its_limit() {
        let limits = BodyLimits::default();
        assert_eq!(limits.of(RequestKind::Manifest), 16 * MIB);
        assert_eq!(limits.of(RequestKind::Index), 16 * MIB);
        assert_eq!(limits.of(RequestKind::Init), 16 * MIB);
        assert_eq!(limits.of(RequestKind::Steering), MIB);
        assert_eq!(limits.of(RequestKind::Media), 256 * MIB);
        let mut budget = BodyBudget { kind: RequestKind::Steering, limit: 10, seen: 0 };
        assert_eq!(budget.take(6), Ok(()));
        assert_eq!(budget.take(4), Ok(()), "exactly the limit is fine");
        assert!(matches!(budget.take(1), Err(FetchError::Transport(m)) if m.contains("too large")));
    }

    /// What the test server does with a request.
    enum Reply {
        /// Write these bytes and close.
        Bytes(Vec<u8>),
        /// Write this head, then 64 KiB blocks (up to 64 MiB) until the client goes away.
        Endless(String),
        /// Say nothing (until the client goes away).
        Silent,
    }

    /// What the test server saw and did.
    #[derive(Default)]
    struct Seen {
        requests: AtomicUsize,
        /// Body bytes written by `Reply::Endless`, and whether the client stopped it.
        written: AtomicUsize,
        cut: std::sync::atomic::AtomicBool,
    }

    const ENDLESS: usize = 64 * 1024 * 1024;

    /// A loopback HTTP/1.1 server answering each request (one per connection) with `reply(path)`.
    async fn server(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> (SocketAddr, Arc<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen::default());
        let (reply, state) = (Arc::new(reply), seen.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (reply, seen) = (reply.clone(), state.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    seen.requests.fetch_add(1, Ordering::SeqCst);
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                    match reply(&path) {
                        Reply::Bytes(bytes) => {
                            let _ = stream.write_all(&bytes).await;
                        }
                        Reply::Endless(head) => {
                            if stream.write_all(head.as_bytes()).await.is_err() {
                                return;
                            }
                            let block = vec![b'x'; 64 * 1024];
                            while seen.written.load(Ordering::SeqCst) < ENDLESS {
                                if stream.write_all(&block).await.is_err() {
                                    seen.cut.store(true, Ordering::SeqCst);
                                    return;
                                }
                                seen.written.fetch_add(block.len(), Ordering::SeqCst);
                            }
                        }
                        Reply::Silent => {
                            let _ = stream.read(&mut byte).await;
                        }
                    }
                });
            }
        });
        (addr, seen)
    }

    fn ok(body: &str) -> Reply {
        Reply::Bytes(
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                .into_bytes(),
        )
    }

    fn redirect(to: &str) -> Reply {
        Reply::Bytes(
            format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        )
    }

    async fn get(config: &FetchConfig, url: &str, kind: RequestKind) -> Result<Vec<u8>, FetchError> {
        let client = config.client().unwrap();
        tokio::time::timeout(Duration::from_secs(10), fetch_whole(&client, config, url, kind))
            .await
            .expect("the request ends by itself")
    }

    #[tokio::test]
    async fn a_redirect_chain_longer_than_the_cap_fails() {
        // /hop/N redirects to /hop/N+1, without end.
        let (addr, seen) =
            server(|path| match path.strip_prefix("/hop/").and_then(|n| n.parse::<u32>().ok()) {
                Some(n) if n < 100 => redirect(&format!("/hop/{}", n + 1)),
                _ => ok("never"),
            })
            .await;
        let config = FetchConfig::default();
        let error = get(&config, &format!("http://{addr}/hop/0"), RequestKind::Manifest).await.unwrap_err();
        assert!(
            matches!(&error, FetchError::Transport(m) if m.contains("more than 3 redirects")),
            "{error:?}"
        );
        assert_eq!(seen.requests.load(Ordering::SeqCst), 4, "the request and three redirects");

        // Three redirects are fine.
        let (addr, _) = server(|path| match path {
            "/0" => redirect("/1"),
            "/1" => redirect("/2"),
            "/2" => redirect("/3"),
            _ => ok("here"),
        })
        .await;
        let body = get(&config, &format!("http://{addr}/0"), RequestKind::Manifest).await.unwrap();
        assert_eq!(body, b"here");
    }

    #[tokio::test]
    async fn a_redirect_loop_fails_and_a_redirect_to_a_file_url_is_refused() {
        let (addr, seen) = server(|path| match path {
            "/loop" => redirect("/loop"),
            _ => redirect("file:///etc/passwd"),
        })
        .await;
        let config = FetchConfig::default();
        let error = get(&config, &format!("http://{addr}/loop"), RequestKind::Media).await.unwrap_err();
        assert!(matches!(&error, FetchError::Transport(m) if m.contains("redirects")), "{error:?}");
        assert_eq!(seen.requests.load(Ordering::SeqCst), 4);
        // reqwest does not even offer a non-http Location to the policy: the redirect answer
        // itself fails the request, and nothing else is asked for.
        let error = get(&config, &format!("http://{addr}/file"), RequestKind::Media).await.unwrap_err();
        assert_eq!(error, FetchError::Http(302));
        assert_eq!(seen.requests.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn a_length_above_the_limit_fails_at_once() {
        let (addr, seen) =
            server(|_| Reply::Endless(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 17 * MIB)))
                .await;
        let error = get(&FetchConfig::default(), &format!("http://{addr}/big.mpd"), RequestKind::Manifest)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, FetchError::Transport(m) if m.contains("announces 17825792 bytes")),
            "{error:?}"
        );
        // A 17 MiB init segment fails too; the same as a media segment is fine.
        let url = format!("http://{addr}/big.m4s");
        assert!(get(&FetchConfig::default(), &url, RequestKind::Init).await.is_err());
        let body = get(&FetchConfig::default(), &url, RequestKind::Media).await.unwrap();
        assert_eq!(body.len() as u64, 17 * MIB);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_body_growing_past_the_limit_is_cut() {
        // No length announced: the body only shows its size as it comes.
        let (addr, seen) =
            server(|_| Reply::Endless("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".into())).await;
        let config = FetchConfig {
            body_limits: BodyLimits { steering: 100_000, ..BodyLimits::default() },
            ..FetchConfig::default()
        };
        let error = get(&config, &format!("http://{addr}/steer"), RequestKind::Steering).await.unwrap_err();
        assert!(matches!(&error, FetchError::Transport(m) if m.contains("too large")), "{error:?}");

        // The session's requests: data up to the limit, then the failure, and the connection closed.
        let (tx, mut rx) = mpsc::channel(1024);
        let fetcher = Fetcher::new(&config, tx, LiveTasks::default()).unwrap();
        let request = FetchRequest {
            id: flick_player::RequestId(7),
            url: format!("http://{addr}/steer"),
            range: None,
            kind: RequestKind::Steering,
            track: None,
            location: None,
            headers: Vec::new(),
        };
        let task = fetcher.start(request);
        let mut received = 0u64;
        let failure = loop {
            let input = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
            match input {
                Input::ResponseStarted { content_length, .. } => assert_eq!(content_length, None),
                Input::Data { chunk, .. } => received += chunk.len(),
                Input::Failed { error, .. } => break error,
                other => panic!("unexpected {other:?}"),
            }
        };
        assert!(matches!(&failure, FetchError::Transport(m) if m.contains("too large")), "{failure:?}");
        assert!(received <= 100_000, "{received} bytes handed over");
        task.await.unwrap();
        for _ in 0..100 {
            if seen.cut.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(seen.cut.load(Ordering::SeqCst), "the server could go on writing");
        assert!(seen.written.load(Ordering::SeqCst) < ENDLESS);
    }

    #[tokio::test]
    async fn other_schemes_fail_without_a_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = FetchConfig::default();
        for url in [format!("ftp://127.0.0.1:{port}/a.mpd"), "file:///etc/passwd".into(), "not a URL".into()]
        {
            let error = get(&config, &url, RequestKind::Manifest).await.unwrap_err();
            assert!(matches!(error, FetchError::Transport(_)), "{url}: {error:?}");
        }
        let (tx, mut rx) = mpsc::channel(16);
        let fetcher = Fetcher::new(&config, tx, LiveTasks::default()).unwrap();
        let request = FetchRequest {
            id: flick_player::RequestId(1),
            url: format!("ftp://127.0.0.1:{port}/seg.m4s"),
            range: None,
            kind: RequestKind::Media,
            track: None,
            location: None,
            headers: Vec::new(),
        };
        fetcher.start(request).await.unwrap();
        let input = rx.recv().await.unwrap();
        assert!(
            matches!(&input, Input::Failed { error: FetchError::Transport(m), .. } if m.contains("only http and https")),
            "{input:?}"
        );
        let accepted = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
        assert!(accepted.is_err(), "something connected");
    }

    #[tokio::test]
    async fn a_silent_server_times_out_at_the_first_byte_guard() {
        let (addr, _) = server(|_| Reply::Silent).await;
        let config = FetchConfig { first_byte_timeout: Duration::from_millis(300), ..FetchConfig::default() };
        let started = std::time::Instant::now();
        let error = get(&config, &format!("http://{addr}/a.mpd"), RequestKind::Manifest).await.unwrap_err();
        assert_eq!(error, FetchError::Timeout);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
