//! Answering one request: the steering server, the `/www/` pages, and the DASH folder (the MPD
//! rewritten, segments by byte range), with latency, shaping and faults.

use crate::Cors;
use crate::body::{self, Body, Plan, Source};
use crate::connection::ConnControl;
use crate::faults::{self, SessionClock};
use crate::files::{self, RangeRequest, Refusal};
use crate::live::{self, Live};
use crate::log::{LogEntry, RequestLog, RequestRecord};
use crate::mpd_rewrite;
use crate::shaping::{Link, Rate};
use crate::steering::Steering;
use bytes::Bytes;
use flick_platform::faults::{FaultKind, FaultScript, ResourceKind};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// What every location shares.
pub(crate) struct Shared {
    /// The DASH folder (canonical).
    pub(crate) dir: PathBuf,
    /// The `/www/` folder (canonical), served by location `a`.
    pub(crate) www: Option<PathBuf>,
    /// Every location's id and address.
    pub(crate) locations: Vec<(String, SocketAddr)>,
    /// Every location's id and base URL, as written into the MPD.
    pub(crate) base_urls: Vec<(String, String)>,
    /// The steering server's URL, when announced.
    pub(crate) steering_url: Option<String>,
    /// The faults to apply.
    pub(crate) faults: FaultScript,
    /// Added before every response.
    pub(crate) latency: Duration,
    /// The session's clock.
    pub(crate) clock: SessionClock,
    /// Every request.
    pub(crate) log: RequestLog,
    /// The steering answer.
    pub(crate) steering: Steering,
    /// The CORS policy ([`Cors::Any`] or [`Cors::Local`]).
    pub(crate) cors: Cors,
    /// Live mode, when on.
    pub(crate) live: Option<Live>,
}

/// One location.
pub(crate) struct Server {
    index: usize,
    id: String,
    link: Arc<Link>,
    /// DASH requests received so far.
    requests: AtomicU64,
    shared: Arc<Shared>,
}

impl Server {
    /// The `index`th location, named `id`, with its own link of `rate`.
    pub(crate) fn new(index: usize, id: String, rate: Rate, shared: Arc<Shared>) -> Server {
        Server { index, id, link: Arc::new(Link::new(rate)), requests: AtomicU64::new(0), shared }
    }
}

/// The hyper service of one connection.
pub(crate) async fn handle(
    server: Arc<Server>,
    control: Arc<ConnControl>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let shared = &server.shared;
    let get = |name| request.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let ports: Vec<u16> = shared.locations.iter().map(|(_, address)| address.port()).collect();
    let allowed = allowed_origin(shared.cors, get(header::ORIGIN), get(header::HOST), &ports);
    let mut response = respond(&server, &control, &request).await;
    cors_headers(&mut response, shared.cors, allowed);
    Ok(response)
}

/// The `Access-Control-Allow-Origin` a request gets under `policy`, if any: `*` for any origin,
/// else its `origin` when that is a loopback origin or the CDN's own (the `host` the request was
/// sent to, on one of the locations' `ports`).
pub(crate) fn allowed_origin(
    policy: Cors,
    origin: Option<&str>,
    host: Option<&str>,
    ports: &[u16],
) -> Option<String> {
    if policy != Cors::Local {
        return Some("*".into());
    }
    let origin = origin?;
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"))?;
    let (origin_host, origin_port) = split_host(rest)?;
    let loopback = origin_host.eq_ignore_ascii_case("localhost")
        || origin_host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let own = host.and_then(split_host).is_some_and(|(host, _)| {
        host.eq_ignore_ascii_case(origin_host) && origin_port.is_some_and(|port| ports.contains(&port))
    });
    (loopback || own).then(|| origin.to_string())
}

/// `host[:port]` (IPv6 hosts in brackets) split, the brackets removed; `None` when malformed.
fn split_host(text: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match text.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        },
    };
    if host.is_empty() || host.contains(['/', '@', ' ']) {
        return None;
    }
    match port {
        None => Some((host, None)),
        Some(port) => Some((host, Some(port.parse().ok()?))),
    }
}

/// CORS and resource-timing headers for `allowed` (none when `None`).
fn cors_headers(response: &mut Response<Body>, policy: Cors, allowed: Option<String>) {
    let headers = response.headers_mut();
    if policy == Cors::Local {
        // The answer depends on the asking page: caches must keep them apart.
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    let Some(value) = allowed.and_then(|origin| HeaderValue::from_str(&origin).ok()) else {
        headers.remove(header::ACCESS_CONTROL_ALLOW_METHODS);
        headers.remove(header::ACCESS_CONTROL_ALLOW_HEADERS);
        headers.remove(header::ACCESS_CONTROL_MAX_AGE);
        return;
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value.clone());
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Content-Length, Content-Range, Accept-Ranges, Date"),
    );
    headers.insert("timing-allow-origin", value);
}

/// What a request looks like to the log and the faults.
struct Asked {
    method: Method,
    path: String,
    range: Option<String>,
    arrived: Instant,
}

async fn respond(server: &Server, control: &ConnControl, request: &Request<Incoming>) -> Response<Body> {
    let asked = Asked {
        method: request.method().clone(),
        path: request.uri().path().to_string(),
        range: request.headers().get(header::RANGE).and_then(|v| v.to_str().ok()).map(str::to_string),
        arrived: Instant::now(),
    };
    if asked.method == Method::OPTIONS {
        return preflight(request);
    }
    if asked.method != Method::GET && asked.method != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
        return response;
    }
    let shared = &server.shared;

    if asked.path == "/steering" {
        let entry = begin(server, &asked, None, None, None);
        tokio::time::sleep(shared.latency).await;
        let json = Bytes::from(shared.steering.body());
        let len = json.len() as u64;
        return ranged(&asked, Source::Memory(json), len, "application/json", None, None, entry);
    }
    if server.index == 0
        && let Some(www) = &shared.www
        && let Some(rest) = asked.path.strip_prefix("/www/")
    {
        let entry = begin(server, &asked, None, None, None);
        tokio::time::sleep(shared.latency).await;
        let rest =
            if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.into() };
        return file(&asked, www, &rest, None, None, entry).await;
    }

    if shared.live.is_some() && asked.path == "/time" {
        let entry = begin(server, &asked, None, None, None);
        tokio::time::sleep(shared.latency).await;
        let now = Bytes::from(live::format_utc(SystemTime::now()));
        let len = now.len() as u64;
        return ranged(&asked, Source::Memory(now), len, "text/plain; charset=utf-8", None, None, entry);
    }

    // The DASH folder: the session's clock runs, faults apply, the link shapes.
    let elapsed = shared.clock.start();
    server.link.start();
    let before = server.requests.fetch_add(1, Ordering::SeqCst);
    let kind = faults::resource_kind(&asked.path, asked.range.as_deref());
    let fault = shared.faults.active(&server.id, kind, elapsed.as_secs_f64(), before);
    let live_route = shared.live.as_ref().and_then(|live| Some((live, live.route(&asked.path)?)));
    let entry = begin(server, &asked, fault, Some(kind), live_route.map(|(_, route)| route.number));
    match fault {
        Some(FaultKind::Reset) => {
            control.reset();
            return std::future::pending().await;
        }
        Some(FaultKind::NoAnswer) => return std::future::pending().await,
        Some(FaultKind::SlowFirstByte(ms)) => {
            tokio::time::sleep(shared.latency + Duration::from_millis(ms)).await;
        }
        _ => tokio::time::sleep(shared.latency).await,
    }
    if let Some(FaultKind::Http(code)) = fault {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let response = text(status, &format!("flick serve: fault on location {}: HTTP {code}\n", server.id));
        entry.set_status(status.as_u16());
        return response;
    }
    if let Some((live, route)) = live_route {
        return match live.segment(&shared.dir, route, SystemTime::now()).await {
            Ok(bytes) => {
                let len = bytes.len() as u64;
                let link = Some(server.link.clone());
                ranged(
                    &asked,
                    Source::Memory(Bytes::from(bytes)),
                    len,
                    "video/iso.segment",
                    link,
                    fault,
                    entry,
                )
            }
            Err(live::Refusal::NotFound(message)) => {
                entry.set_status(404);
                text(StatusCode::NOT_FOUND, &message)
            }
            Err(live::Refusal::Broken(message)) => {
                entry.set_status(500);
                text(StatusCode::INTERNAL_SERVER_ERROR, &message)
            }
        };
    }
    let path = asked.path.trim_start_matches('/').to_string();
    file(&asked, &shared.dir, &path, Some(server), fault, entry).await
}

/// Start the log record of a request for `kind` (and live segment `segment`).
fn begin(
    server: &Server,
    asked: &Asked,
    fault: Option<FaultKind>,
    kind: Option<ResourceKind>,
    segment: Option<u64>,
) -> LogEntry {
    server.shared.log.begin(RequestRecord {
        at: server.shared.clock.offset_of(asked.arrived),
        location: server.id.clone(),
        method: asked.method.to_string(),
        path: asked.path.clone(),
        range: asked.range.clone(),
        kind,
        segment,
        status: None,
        fault,
        bytes_sent: 0,
        duration: None,
    })
}

/// Answer with the file `url_path` of `root`; `server` (the DASH folder's location) rewrites
/// MPDs and shapes the body.
async fn file(
    asked: &Asked,
    root: &Path,
    url_path: &str,
    server: Option<&Server>,
    fault: Option<FaultKind>,
    entry: LogEntry,
) -> Response<Body> {
    let refused = |status: StatusCode, message: &str| {
        entry.set_status(status.as_u16());
        text(status, message)
    };
    let path = match files::resolve(root, url_path) {
        Ok(path) if path.is_file() => path,
        Ok(_) | Err(Refusal::NotFound) => return refused(StatusCode::NOT_FOUND, "not found\n"),
        Err(Refusal::Forbidden) => return refused(StatusCode::FORBIDDEN, "forbidden\n"),
    };
    let content_type = files::content_type(&path);
    let (source, len) = match server {
        Some(server) if content_type == "application/dash+xml" => {
            let shared = &server.shared;
            let live = shared.live.as_ref().filter(|live| live.is_manifest(&path));
            let mpd = match live {
                Some(live) => {
                    let time_url = format!("{}time", shared.base_urls[server.index].1);
                    Ok(live.manifest(SystemTime::now(), &time_url))
                }
                None => tokio::fs::read_to_string(&path).await.map_err(|e| e.to_string()),
            };
            let rewritten = mpd.and_then(|mpd| {
                mpd_rewrite::rewrite(&mpd, &shared.base_urls, shared.steering_url.as_deref())
                    .map_err(|e| e.to_string())
            });
            match rewritten {
                Ok(mpd) => {
                    let len = mpd.len() as u64;
                    (Source::Memory(Bytes::from(mpd)), len)
                }
                Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e}\n")),
            }
        }
        _ => {
            let opened = match tokio::fs::File::open(&path).await {
                Ok(file) => file.metadata().await.map(|m| (file, m.len())),
                Err(e) => Err(e),
            };
            match opened {
                Ok((file, len)) => (Source::File(file), len),
                Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e}\n")),
            }
        }
    };
    ranged(asked, source, len, content_type, server.map(|s| s.link.clone()), fault, entry)
}

/// Answer with `source` (`len` bytes), or the part of it the request's range asks for.
fn ranged(
    asked: &Asked,
    source: Source,
    len: u64,
    content_type: &'static str,
    link: Option<Arc<Link>>,
    fault: Option<FaultKind>,
    entry: LogEntry,
) -> Response<Body> {
    let (status, offset, count) = match files::parse_range(asked.range.as_deref(), len) {
        RangeRequest::Whole => (StatusCode::OK, 0, len),
        RangeRequest::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        RangeRequest::Unsatisfiable => {
            entry.set_status(416);
            let mut response = text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable\n");
            insert(&mut response, header::CONTENT_RANGE, &format!("bytes */{len}"));
            return response;
        }
    };
    entry.set_status(status.as_u16());
    let body = if asked.method == Method::HEAD {
        body::empty()
    } else {
        let (send, end) = faults::body_plan(fault, count);
        let trickle = faults::trickle_rate(fault);
        body::streamed(Plan { source, offset, send, end, link, entry, trickle, started: false })
    };
    finish(status, content_type, offset, count, len, body)
}

/// A file response's headers.
fn finish(
    status: StatusCode,
    content_type: &'static str,
    offset: u64,
    count: u64,
    len: u64,
    body: Body,
) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    common_headers(&mut response);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if status == StatusCode::PARTIAL_CONTENT {
        insert(&mut response, header::CONTENT_RANGE, &format!("bytes {offset}-{}/{len}", offset + count - 1));
    }
    response
}

/// A short plain-text response.
fn text(status: StatusCode, message: &str) -> Response<Body> {
    let mut response = Response::new(body::full(message.to_string()));
    *response.status_mut() = status;
    common_headers(&mut response);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// The answer to a CORS preflight request.
fn preflight(request: &Request<Incoming>) -> Response<Body> {
    let mut response = Response::new(body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    common_headers(&mut response);
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD, OPTIONS"));
    let asked = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.unwrap_or(HeaderValue::from_static("*")));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// Headers on every response: no caching (CORS is added by [`handle`], as the policy says).
fn common_headers(response: &mut Response<Body>) {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn insert(response: &mut Response<Body>, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_cors_allows_loopback_origins_and_the_cdns_own() {
        let ports = [8080, 8081];
        let allow = |origin: &str, host: &str| allowed_origin(Cors::Local, Some(origin), Some(host), &ports);
        for origin in
            ["http://127.0.0.1:3000", "http://localhost", "https://LOCALHOST:8443", "http://[::1]:9"]
        {
            assert_eq!(allow(origin, "192.168.1.5:8080").as_deref(), Some(origin), "{origin}");
        }
        // The CDN's own page (location a's /www/) reading from location b.
        assert_eq!(
            allow("http://192.168.1.5:8080", "192.168.1.5:8081").as_deref(),
            Some("http://192.168.1.5:8080")
        );
        for (origin, host) in [
            ("http://evil.example", "192.168.1.5:8080"),
            ("http://192.168.1.6:8080", "192.168.1.5:8080"),
            ("http://192.168.1.5:9999", "192.168.1.5:8080"),
            ("http://192.168.1.5", "192.168.1.5:8080"),
            ("http://localhost.evil.example", "192.168.1.5:8080"),
            ("http://127.0.0.1@evil.example", "192.168.1.5:8080"),
            ("null", "192.168.1.5:8080"),
            ("file://", "192.168.1.5:8080"),
        ] {
            assert_eq!(allow(origin, host), None, "{origin} asking {host}");
        }
        assert_eq!(allowed_origin(Cors::Local, None, Some("x:8080"), &ports), None, "no Origin, no header");
        assert_eq!(
            allowed_origin(Cors::Any, Some("http://evil.example"), None, &ports).as_deref(),
            Some("*")
        );
    }

    #[test]
    fn the_policy_follows_the_listening_address() {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        assert_eq!(Cors::Auto.resolve(IpAddr::V4(Ipv4Addr::LOCALHOST)), Cors::Any);
        assert_eq!(Cors::Auto.resolve(IpAddr::V6(Ipv6Addr::LOCALHOST)), Cors::Any);
        assert_eq!(Cors::Auto.resolve(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), Cors::Local);
        assert_eq!(Cors::Auto.resolve(IpAddr::V6(Ipv6Addr::UNSPECIFIED)), Cors::Local);
        assert_eq!(Cors::Auto.resolve("192.168.1.5".parse().unwrap()), Cors::Local);
        assert_eq!(Cors::Any.resolve(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), Cors::Any);
        assert_eq!(Cors::Local.resolve(IpAddr::V4(Ipv4Addr::LOCALHOST)), Cors::Local);
    }
}
