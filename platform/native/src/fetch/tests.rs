//! The client's limits and error mapping, against real loopback servers.
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
    let (addr, seen) = server(|path| match path.strip_prefix("/hop/").and_then(|n| n.parse::<u32>().ok()) {
        Some(n) if n < 100 => redirect(&format!("/hop/{}", n + 1)),
        _ => ok("never"),
    })
    .await;
    let config = FetchConfig::default();
    let error = get(&config, &format!("http://{addr}/hop/0"), RequestKind::Manifest).await.unwrap_err();
    assert!(matches!(&error, FetchError::Transport(m) if m.contains("more than 3 redirects")), "{error:?}");
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
        server(|_| Reply::Endless(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 17 * MIB))).await;
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
        method: flick_player::io::Method::Get,
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
    for url in [format!("ftp://127.0.0.1:{port}/a.mpd"), "file:///etc/passwd".into(), "not a URL".into()] {
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
        method: flick_player::io::Method::Get,
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

#[tokio::test]
async fn a_redirected_request_tells_the_core_which_url_answered() {
    let (addr, _) = server(|path| match path {
        "/old/a.mpd" => redirect("/new/a.mpd"),
        _ => ok("<MPD/>"),
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let fetcher = Fetcher::new(&FetchConfig::default(), tx, LiveTasks::default()).unwrap();
    let request = FetchRequest {
        id: flick_player::RequestId(3),
        url: format!("http://{addr}/old/a.mpd"),
        range: None,
        kind: RequestKind::Manifest,
        track: None,
        location: None,
        headers: Vec::new(),
        method: flick_player::io::Method::Get,
    };
    let task = fetcher.start(request);
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert_eq!(
        first,
        Input::Redirected { id: flick_player::RequestId(3), url: format!("http://{addr}/new/a.mpd") }
    );
    task.await.unwrap();
}
