//! A tiny HTTP/1.1 test CDN on 127.0.0.1: static files from a directory (single byte ranges,
//! keep-alive), files overridden in memory (a rewritten MPD), and a fault switch that makes the
//! server answer 503, go silent (read the request, never answer), reset connections, or cut
//! bodies short, from a given instant on. Written on bare tokio sockets so that each fault is
//! exactly what goes on the wire.
//!
//! Shared by the native driver's tests and the `flick` binary's (`ui/tests/play_cli.rs`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What the server does with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Serve it.
    None,
    /// Answer with this status and an empty body.
    Status(u16),
    /// Never answer (keep the connection open until the client closes it).
    Silent,
    /// Reset the connection (RST) without answering.
    Reset,
    /// Announce the full length, send half the body, close.
    Truncate,
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// Path.
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// What the server did.
    pub fault: Fault,
}

struct State {
    root: PathBuf,
    overrides: Mutex<HashMap<String, Vec<u8>>>,
    /// `(from, fault)`: the fault applies to requests arriving at or after `from`.
    fault: Mutex<(Instant, Fault)>,
    log: Mutex<Vec<Logged>>,
    open: AtomicUsize,
}

/// A running test server; stops accepting when dropped.
pub struct Cdn {
    addr: std::net::SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl Cdn {
    /// Serve `root` on a free loopback port.
    pub async fn start(root: &Path) -> Cdn {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            root: root.to_path_buf(),
            overrides: Mutex::new(HashMap::new()),
            fault: Mutex::new((Instant::now(), Fault::None)),
            log: Mutex::new(Vec::new()),
            open: AtomicUsize::new(0),
        });
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(connection(stream, shared.clone()));
            }
        });
        Cdn { addr, state, accept }
    }

    /// `http://127.0.0.1:PORT/` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Serve `bytes` at `path` instead of the file.
    pub fn put(&self, path: &str, bytes: Vec<u8>) {
        self.state.overrides.lock().unwrap().insert(path.trim_start_matches('/').to_string(), bytes);
    }

    /// Apply `fault` to every request from `from` on.
    pub fn fault_from(&self, from: Instant, fault: Fault) {
        *self.state.fault.lock().unwrap() = (from, fault);
    }

    /// Apply `fault` to every request from now on.
    pub fn fault(&self, fault: Fault) {
        self.fault_from(Instant::now(), fault);
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }
}

impl Drop for Cdn {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

struct OpenGuard(Arc<State>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn connection(mut stream: TcpStream, state: Arc<State>) {
    state.open.fetch_add(1, Ordering::SeqCst);
    let _open = OpenGuard(state.clone());
    let mut pending = Vec::new();
    loop {
        let Some(head) = read_head(&mut stream, &mut pending).await else { return };
        let Some((path, range)) = parse_head(&head) else {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
            return;
        };
        let fault = {
            let (from, fault) = *state.fault.lock().unwrap();
            if Instant::now() >= from { fault } else { Fault::None }
        };
        state.log.lock().unwrap().push(Logged { path: path.clone(), range: range.clone(), fault });
        match fault {
            Fault::Silent => {
                // Hold the connection until the client goes away.
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                return;
            }
            Fault::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
            Fault::Status(code) => {
                let head = format!("HTTP/1.1 {code} Fault\r\ncontent-length: 0\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
            }
            Fault::None | Fault::Truncate => {
                let Some(body) = load(&state, &path) else {
                    let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await;
                    continue;
                };
                let (status, body, extra) = match range.as_deref().and_then(|r| parse_range(r, body.len())) {
                    Some((start, end)) => (
                        "206 Partial Content",
                        body[start..=end].to_vec(),
                        format!("content-range: bytes {start}-{end}/{}\r\n", body.len()),
                    ),
                    None => ("200 OK", body, String::new()),
                };
                let head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n{extra}\r\n", body.len());
                let sent = if fault == Fault::Truncate { &body[..body.len() / 2] } else { &body[..] };
                if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(sent).await.is_err() {
                    return;
                }
                if fault == Fault::Truncate {
                    let _ = stream.shutdown().await;
                    return;
                }
            }
        }
    }
}

/// Read up to the end of a request head (no request bodies: GET only).
async fn read_head(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head: Vec<u8> = pending.drain(..end + 4).collect();
            return String::from_utf8(head).ok();
        }
        let mut buf = [0u8; 4096];
        match tokio::time::timeout(Duration::from_secs(60), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => pending.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
}

/// The path and the `Range` header of a GET request head.
fn parse_head(head: &str) -> Option<(String, Option<String>)> {
    let mut lines = head.split("\r\n");
    let mut request = lines.next()?.split(' ');
    if request.next()? != "GET" {
        return None;
    }
    let target = request.next()?;
    let path = target.split('?').next()?.trim_start_matches('/').to_string();
    let range = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("range").then(|| value.trim().to_string())
    });
    Some((path, range))
}

/// `bytes=a-b` or `bytes=a-` within a body of `len` bytes.
fn parse_range(range: &str, len: usize) -> Option<(usize, usize)> {
    let (start, end) = range.strip_prefix("bytes=")?.split_once('-')?;
    let start: usize = start.parse().ok()?;
    let end: usize = if end.is_empty() { len.checked_sub(1)? } else { end.parse().ok()? };
    (start <= end && end < len).then_some((start, end))
}

fn load(state: &State, path: &str) -> Option<Vec<u8>> {
    if let Some(bytes) = state.overrides.lock().unwrap().get(path) {
        return Some(bytes.clone());
    }
    let relative = Path::new(path);
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    std::fs::read(state.root.join(relative)).ok()
}
