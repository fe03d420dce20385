//! `flick serve`: Flick's test CDN. Serves a DASH folder from several local locations (`a`, `b`,
//! ...) with throttling, latency, scripted faults and content steering, until Ctrl-C.
//!
//! At start it prints the manifest's URL, then one line per location (`a http://127.0.0.1:PORT/`),
//! to stdout, so scripts can read them; the request log goes to stderr.
//!
//! With `--live`, the folder's static MPD is served as a live stream (a dynamic MPD whose window
//! moves with the clock, the media looped forever, `/time` on every location): see
//! [`flick_serve::live`].

use anyhow::Context;
use clap::Args;
use flick_serve::{Cors, FaultScript, LiveAddressing, LiveConfig, ServeConfig, TestCdn};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `flick serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The DASH folder to serve: one `.mpd` and its segment files.
    dir: PathBuf,
    /// How many locations (CDNs) to run; they are named a, b, c, ...
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=26))]
    cdns: u8,
    /// Port of location a; the others take the next ports (default: free ports).
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on. Any but a loopback address serves the folder to the network, with
    /// CORS only for loopback pages and the CDN's own (see `--cors-any`).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Let a page from any origin read the answers (`Access-Control-Allow-Origin: *`), also
    /// when listening on a non-loopback address (on loopback it is always so).
    #[arg(long)]
    cors_any: bool,
    /// Bandwidth of each location in kbit/s (default: full speed).
    #[arg(long, value_name = "KBPS", conflicts_with = "trace", value_parser = clap::value_parser!(u64).range(1..))]
    rate: Option<u64>,
    /// A bandwidth trace (Pensieve text, Sabre JSON or Mahimahi) each location plays in a loop.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Delay before the first byte of every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// A fault script (JSON): `{"faults": [{"location": "a", "at_s": 6, "kind": "no_answer"}]}`.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// Announce a DASH-IF content-steering server (`/steering`) in the MPD.
    #[arg(long)]
    steering: bool,
    /// Serve this folder's files (a web page) from location a under `/www/`.
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// Do not log each request to stderr.
    #[arg(long)]
    quiet: bool,
    /// Serve the folder as a live stream: a dynamic MPD whose window moves with the clock, the
    /// media looped forever with its times moved on, a time server at /time.
    #[arg(long)]
    live: bool,
    /// The live window (timeShiftBufferDepth), in seconds; the stream is said to have started
    /// this long before the server, so the window is full at once.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = positive_secs, requires = "live")]
    live_window: Duration,
    /// How often players should fetch the live MPD again (minimumUpdatePeriod), in seconds.
    #[arg(long, value_name = "SECS", default_value = "2", value_parser = positive_secs, requires = "live")]
    live_update: Duration,
    /// List the live window's segments in a SegmentTimeline ($Number$), new at each request.
    #[arg(long, requires = "live")]
    live_timeline: bool,
    /// Address live segments by $Time$ in a SegmentTimeline.
    #[arg(long, requires = "live", conflicts_with = "live_timeline")]
    live_time: bool,
    /// Announce a suggestedPresentationDelay, in seconds.
    #[arg(long, value_name = "SECS", value_parser = secs, requires = "live")]
    live_delay: Option<Duration>,
}

/// A number of seconds (a decimal fraction allowed), 0 or more.
fn secs(text: &str) -> Result<Duration, String> {
    let value: f64 = text.parse().map_err(|_| format!("{text:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(value).map_err(|_| format!("{text} s is not a duration"))
}

/// A number of seconds above 0.
fn positive_secs(text: &str) -> Result<Duration, String> {
    secs(text).and_then(|d| if d.is_zero() { Err("it must be above 0 s".into()) } else { Ok(d) })
}

impl ServeArgs {
    /// The live configuration the options ask for, if `--live`.
    fn live_config(&self) -> Option<LiveConfig> {
        let addressing = match (self.live_timeline, self.live_time) {
            (_, true) => LiveAddressing::TimeTimeline,
            (true, false) => LiveAddressing::NumberTimeline,
            (false, false) => LiveAddressing::NumberDuration,
        };
        self.live.then_some(LiveConfig {
            window: self.live_window,
            update_period: self.live_update,
            addressing,
            presentation_delay: self.live_delay,
            start_offset: None,
        })
    }
}

/// Run `flick serve` until Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let faults = match &args.faults {
        // The error names the file and the cause in one line.
        Some(path) => {
            FaultScript::load(path).map_err(|e| anyhow::anyhow!("reading the fault script: {e}"))?
        }
        None => FaultScript::default(),
    };
    let live = args.live_config();
    let config = ServeConfig {
        dir: args.dir.clone(),
        cdns: usize::from(args.cdns),
        host: args.host,
        base_port: args.port,
        rate_kbps: args.rate,
        trace: args.trace,
        latency_ms: args.latency,
        faults,
        www: args.www,
        steering: args.steering,
        log_requests: !args.quiet,
        cors: if args.cors_any { Cors::Any } else { Cors::Auto },
        live,
    };
    let note = network_note(args.host, config.cors);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let cdn = TestCdn::start(config).await.context("starting the test CDN")?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", cdn.manifest_url())?;
        for (id, url) in cdn.location_urls() {
            writeln!(out, "{id} {url}")?;
        }
        out.flush()?;
        drop(out);
        if let Some(note) = note {
            eprintln!("{note}");
        }
        eprintln!(
            "flick serve: serving {} from {} locations; Ctrl-C stops",
            args.dir.display(),
            cdn.locations().len()
        );
        if let Some(start) = cdn.live_start() {
            eprintln!(
                "flick serve: live since {} (a {} s window, the MPD updated every {} s)",
                flick_serve::live::format_utc(start),
                args.live_window.as_secs_f64(),
                args.live_update.as_secs_f64()
            );
        }
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
        cdn.shutdown().await;
        Ok(())
    })
}

/// The one line saying that a non-loopback `host` serves the folder to the network, and to which
/// web pages; `None` on loopback.
fn network_note(host: IpAddr, cors: Cors) -> Option<String> {
    if host.is_loopback() {
        return None;
    }
    let pages = match cors.resolve(host) {
        Cors::Any => "pages from any origin may read it (--cors-any)",
        _ => "only loopback pages and its own may read it (CORS; --cors-any opens it to any origin)",
    };
    Some(format!(
        "flick serve: listening on {host}, not loopback: the folder is served to the network, to anyone who can reach this machine; {pages}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied())).map(|cli| cli.serve)
    }

    #[test]
    fn options_parse_and_nonsense_is_bad_usage() {
        let args = parse(&["dash", "--cdns", "3", "--rate", "800", "--latency", "40", "--steering"]).unwrap();
        assert_eq!((args.cdns, args.rate, args.latency, args.steering), (3, Some(800), 40, true));
        assert_eq!(args.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(!args.cors_any);
        assert!(parse(&["dash", "--host", "0.0.0.0", "--cors-any"]).unwrap().cors_any);
        let defaults = parse(&["dash"]).unwrap();
        assert_eq!((defaults.cdns, defaults.rate, defaults.quiet), (2, None, false));
        assert!(defaults.live_config().is_none());
        let live =
            parse(&["dash", "--live", "--live-window", "12.5", "--live-update", "1", "--live-delay", "0"])
                .unwrap();
        assert_eq!(
            live.live_config(),
            Some(LiveConfig {
                window: Duration::from_millis(12_500),
                update_period: Duration::from_secs(1),
                addressing: LiveAddressing::NumberDuration,
                presentation_delay: Some(Duration::ZERO),
                start_offset: None,
            })
        );
        let timeline = parse(&["dash", "--live", "--live-timeline"]).unwrap().live_config().unwrap();
        assert_eq!(
            (timeline.addressing, timeline.window),
            (LiveAddressing::NumberTimeline, Duration::from_secs(30))
        );
        let time = parse(&["dash", "--live", "--live-time"]).unwrap().live_config().unwrap();
        assert_eq!(time.addressing, LiveAddressing::TimeTimeline);
        for bad in [
            &["dash", "--live-window", "10"][..],
            &["dash", "--live-timeline"],
            &["dash", "--live", "--live-window", "0"],
            &["dash", "--live", "--live-update", "-1"],
            &["dash", "--live", "--live-delay", "soon"],
            &["dash", "--live", "--live-timeline", "--live-time"],
            &["dash", "--cdns", "0"],
            &["dash", "--cdns", "27"],
            &["dash", "--rate", "800", "--trace", "t.json"],
            &["dash", "--rate", "0"],
            &["dash", "--host", "localhost:80"],
            &[],
        ] {
            let error = parse(bad).err().unwrap_or_else(|| panic!("{bad:?} parsed"));
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn a_non_loopback_host_is_said_to_serve_the_network() {
        let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert_eq!(network_note(localhost, Cors::Auto), None);
        assert_eq!(network_note("::1".parse().unwrap(), Cors::Any), None);
        let all = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let note = network_note(all, Cors::Auto).expect("a note");
        assert!(note.contains("0.0.0.0") && note.contains("to the network"), "{note}");
        assert!(note.contains("only loopback pages"), "{note}");
        assert!(!note.contains('\n'));
        let open = network_note(all, Cors::Any).expect("a note");
        assert!(open.contains("any origin"), "{open}");
    }
}
