//! Flick's test CDN: one DASH folder served by several virtual CDN servers ("locations" `a`, `b`,
//! ...) on their own loopback ports, each with its own bandwidth (a fixed rate or a looped trace),
//! added latency and scripted faults (HTTP errors, resets, requests never answered, bodies stalled
//! or truncated mid-way, slow first bytes), plus a DASH-IF content-steering server. The MPD is
//! served rewritten so that its BaseURLs name every location, so any player (Flick, dash.js, a TV)
//! pointed at [`TestCdn::manifest_url`] sees several CDNs and can fail over between them.
//!
//! ```no_run
//! use flick_serve::{ServeConfig, TestCdn};
//! use std::path::PathBuf;
//!
//! # async fn example() -> Result<(), flick_serve::ServeError> {
//! let config = ServeConfig { rate_kbps: Some(4000), ..ServeConfig::new(PathBuf::from("dash")) };
//! let cdn = TestCdn::start(config).await?;
//! println!("{}", cdn.manifest_url());
//! for (id, address) in cdn.locations() {
//!     println!("{id} {address}");
//! }
//! cdn.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! With [`ServeConfig::live`], the folder's VOD stream is served as a live one: a dynamic MPD whose
//! window moves with the server's clock, the media looped forever with its decode times moved on,
//! and `GET /time` on every location (see [`live`]).
//!
//! The servers speak plain HTTP/1.1 with byte ranges, `HEAD`, CORS and `Cache-Control: no-store`
//! (so a browser's cache never hides the throttling). CORS is open to any origin when they listen
//! on loopback, and only to loopback origins and the CDN's own otherwise (see [`Cors`]).

#![warn(missing_docs)]

mod body;
mod connection;
mod faults;
mod files;
pub mod live;
mod log;
pub mod mpd_rewrite;
mod routes;
mod shaping;
mod steering;

pub use flick_platform::faults::{FaultKind, FaultScript, ResourceKind};
pub use live::{LiveAddressing, LiveConfig};
pub use log::RequestRecord;

use flick_platform::sim::{Trace, TraceError};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Most locations a test CDN runs (they are named `a` to `z`).
pub const MAX_CDNS: usize = 26;

/// What to serve and how.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The DASH folder: one `.mpd` and its segment files.
    pub dir: PathBuf,
    /// How many locations (servers) to run, 1 to [`MAX_CDNS`]; default 2.
    pub cdns: usize,
    /// Address the servers listen on; default `127.0.0.1`.
    pub host: IpAddr,
    /// Port of location `a` (the others take the next ones); `None` picks free ports.
    pub base_port: Option<u16>,
    /// Bandwidth of each location in kbit/s; `None` (and no trace) serves at full speed.
    pub rate_kbps: Option<u64>,
    /// A bandwidth trace (Pensieve text, Sabre JSON or Mahimahi) played in a loop by each location,
    /// from that location's first request; wins over `rate_kbps`.
    pub trace: Option<PathBuf>,
    /// Added before the first byte of every response (headers included), in milliseconds.
    pub latency_ms: u64,
    /// Scripted faults (location ids `a`, `b`, ...).
    pub faults: FaultScript,
    /// A folder of extra static files (a web page) served by location `a` under `/www/`.
    pub www: Option<PathBuf>,
    /// Announce a DASH-IF content-steering server (`/steering`, on every location) in the MPD.
    pub steering: bool,
    /// Write one line per request to stderr.
    pub log_requests: bool,
    /// Which web pages may read the answers (CORS).
    pub cors: Cors,
    /// Serve the folder as a live stream (a dynamic MPD whose window moves with the clock, the
    /// media looped, `GET /time` on every location); `None` serves it as it is.
    pub live: Option<LiveConfig>,
}

/// Which web pages (origins) may read the test CDN's answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cors {
    /// [`Cors::Any`] when the servers listen on a loopback address (only this machine reaches
    /// them), [`Cors::Local`] otherwise.
    #[default]
    Auto,
    /// Any origin: `Access-Control-Allow-Origin: *`.
    Any,
    /// Only pages from a loopback origin (`http://127.0.0.1:8080`, `http://localhost`, `[::1]`)
    /// or from the test CDN itself (the host the request was sent to, on one of its locations'
    /// ports): their origin is echoed (with `Vary: Origin`); other origins get no CORS header.
    Local,
}

impl Cors {
    /// The policy in force for servers listening on `host`.
    pub fn resolve(self, host: IpAddr) -> Cors {
        match self {
            Cors::Auto if host.is_loopback() => Cors::Any,
            Cors::Auto => Cors::Local,
            policy => policy,
        }
    }
}

impl ServeConfig {
    /// Defaults for serving `dir`: two locations on free loopback ports, full speed, no faults.
    pub fn new(dir: PathBuf) -> ServeConfig {
        ServeConfig {
            dir,
            cdns: 2,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            base_port: None,
            rate_kbps: None,
            trace: None,
            latency_ms: 0,
            faults: FaultScript::default(),
            www: None,
            steering: false,
            log_requests: false,
            cors: Cors::Auto,
            live: None,
        }
    }
}

/// Why a test CDN could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A configuration value makes no sense.
    #[error("{0}")]
    Config(String),
    /// A file or folder could not be read.
    #[error("{path}: {cause}")]
    Io {
        /// What was read.
        path: PathBuf,
        /// Cause.
        cause: std::io::Error,
    },
    /// The DASH folder holds no `.mpd` file.
    #[error("{0}: no .mpd file in the folder")]
    NoManifest(PathBuf),
    /// The MPD could not be rewritten.
    #[error("{path}: {cause}")]
    Manifest {
        /// The MPD.
        path: PathBuf,
        /// Cause.
        cause: mpd_rewrite::RewriteError,
    },
    /// The folder cannot be served live.
    #[error("{path}: cannot serve it live: {cause}")]
    Live {
        /// The MPD.
        path: PathBuf,
        /// Cause.
        cause: String,
    },
    /// The bandwidth trace could not be read.
    #[error("{0}")]
    Trace(TraceError),
    /// A server could not listen.
    #[error("cannot listen on {address}: {cause}")]
    Bind {
        /// The address tried.
        address: SocketAddr,
        /// Cause.
        cause: std::io::Error,
    },
}

/// A running test CDN; stop it with [`TestCdn::shutdown`] (dropping it stops it too, without
/// waiting).
pub struct TestCdn {
    shared: Arc<routes::Shared>,
    manifest_url: String,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl TestCdn {
    /// Check the configuration, bind every location's port and start serving.
    pub async fn start(config: ServeConfig) -> Result<TestCdn, ServeError> {
        if !(1..=MAX_CDNS).contains(&config.cdns) {
            return Err(ServeError::Config(format!(
                "the number of CDNs must be between 1 and {MAX_CDNS}, not {}",
                config.cdns
            )));
        }
        let dir = canonical_dir(&config.dir)?;
        let www = config.www.as_deref().map(canonical_dir).transpose()?;
        let manifest = files::find_manifest(&dir)?;
        let rate = match (&config.trace, config.rate_kbps) {
            (Some(path), _) => shaping::Rate::from_trace(&Trace::load(path).map_err(ServeError::Trace)?),
            (None, Some(0)) => return Err(ServeError::Config("the rate must be above 0 kbit/s".into())),
            (None, Some(kbps)) => shaping::Rate::Constant { kbps: kbps as f64 },
            (None, None) => shaping::Rate::Unlimited,
        };

        let mut listeners = Vec::with_capacity(config.cdns);
        for i in 0..config.cdns {
            let port = match config.base_port {
                Some(base) => base
                    .checked_add(i as u16)
                    .ok_or_else(|| ServeError::Config(format!("port {base} + {i} is past 65535")))?,
                None => 0,
            };
            let address = SocketAddr::new(config.host, port);
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|cause| ServeError::Bind { address, cause })?;
            let address = listener.local_addr().map_err(|cause| ServeError::Bind { address, cause })?;
            listeners.push((location_id(i), address, listener));
        }

        let url_host = match config.host {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base_urls: Vec<(String, String)> = listeners
            .iter()
            .map(|(id, address, _)| {
                (id.clone(), format!("http://{}/", SocketAddr::new(url_host, address.port())))
            })
            .collect();
        let steering_url = config.steering.then(|| format!("{}steering", base_urls[0].1));
        let manifest_url = format!("{}{}", base_urls[0].1, files::url_path_of(&manifest));

        // Rewrite once now, so a broken MPD fails the start rather than every request.
        let text = std::fs::read_to_string(dir.join(&manifest))
            .map_err(|cause| ServeError::Io { path: dir.join(&manifest), cause })?;
        mpd_rewrite::rewrite(&text, &base_urls, steering_url.as_deref())
            .map_err(|cause| ServeError::Manifest { path: dir.join(&manifest), cause })?;

        let live = match config.live {
            Some(live) => Some(
                live::Live::load(&dir, &manifest, &text, live, std::time::SystemTime::now())
                    .map_err(|cause| ServeError::Live { path: dir.join(&manifest), cause })?,
            ),
            None => None,
        };

        let ids: Vec<String> = base_urls.iter().map(|(id, _)| id.clone()).collect();
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(routes::Shared {
            dir,
            www,
            locations: listeners.iter().map(|(id, address, _)| (id.clone(), *address)).collect(),
            base_urls,
            steering_url,
            faults: config.faults,
            latency: std::time::Duration::from_millis(config.latency_ms),
            clock: faults::SessionClock::default(),
            log: log::RequestLog::new(config.log_requests),
            steering: steering::Steering::new(&ids),
            cors: config.cors.resolve(config.host),
            live,
        });
        let servers = listeners
            .into_iter()
            .enumerate()
            .map(|(index, (id, _, listener))| {
                let server = Arc::new(routes::Server::new(index, id, rate.clone(), shared.clone()));
                tokio::spawn(connection::accept_loop(listener, server, stopped.clone()))
            })
            .collect();
        Ok(TestCdn { shared, manifest_url, stop, servers })
    }

    /// Every location's id (`a`, `b`, ...) and listening address, in order.
    pub fn locations(&self) -> Vec<(String, SocketAddr)> {
        self.shared.locations.clone()
    }

    /// Every location's id and base URL as written into the MPD (`http://127.0.0.1:PORT/`; the
    /// loopback address stands for an unspecified listening address).
    pub fn location_urls(&self) -> Vec<(String, String)> {
        self.shared.base_urls.clone()
    }

    /// The URL of the (rewritten) MPD on location `a`, e.g. `http://127.0.0.1:PORT/manifest.mpd`.
    pub fn manifest_url(&self) -> String {
        self.manifest_url.clone()
    }

    /// Every request received so far, in arrival order (requests still running included).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.records()
    }

    /// The CORS policy in force ([`Cors::Any`] or [`Cors::Local`]).
    pub fn cors(&self) -> Cors {
        self.shared.cors
    }

    /// In live mode, the stream's `availabilityStartTime` (to the millisecond).
    pub fn live_start(&self) -> Option<std::time::SystemTime> {
        self.shared.live.as_ref().map(|live| live.start())
    }

    /// Change the answer of the steering server (`/steering`) from now on.
    pub fn set_steering(&self, json: serde_json::Value) {
        self.shared.steering.set(json);
    }

    /// Stop every location: close the listeners and drop every connection (requests held by a
    /// fault included), and wait until that is done.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for server in self.servers.drain(..) {
            let _ = server.await;
        }
    }
}

impl Drop for TestCdn {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The id of the `index`th location: `a`, `b`, ...
fn location_id(index: usize) -> String {
    char::from(b'a' + index as u8).to_string()
}

fn canonical_dir(path: &Path) -> Result<PathBuf, ServeError> {
    let dir = path.canonicalize().map_err(|cause| ServeError::Io { path: path.to_path_buf(), cause })?;
    if !dir.is_dir() {
        return Err(ServeError::Io {
            path: path.to_path_buf(),
            cause: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        });
    }
    Ok(dir)
}
