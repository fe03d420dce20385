//! What `flick inspect` says of a presentation: the summary, as text for people and as JSON.

use super::*;

/// What `flick inspect` reports (the `--json` document).
#[derive(Serialize, Debug)]
pub(super) struct Summary {
    /// The source as given.
    source: String,
    /// The URL relative URLs resolve against (the manifest's own).
    pub(super) manifest_url: Option<String>,
    /// Size of the manifest.
    pub(super) bytes: Option<u64>,
    /// Time spent parsing, in milliseconds.
    pub(super) parse_ms: Option<f64>,
    /// Time spent in all (reading, parsing, summarising), in milliseconds.
    pub(super) total_ms: f64,
    /// Whether Flick would play it.
    pub(super) playable: bool,
    /// Why not.
    pub(super) error: Option<Failure>,
    /// `@mediaPresentationDuration`, else the end of the last period, when known.
    duration_s: Option<f64>,
    /// `@minBufferTime`.
    min_buffer_time_s: Option<f64>,
    periods: Vec<PeriodSummary>,
    locations: Vec<LocationSummary>,
    steering: Option<SteeringSummary>,
    /// What a dynamic (live) MPD says about time.
    live: Option<LiveSummary>,
    notices: Vec<Notice>,
}

/// The live side of a dynamic MPD.
#[derive(Serialize, Debug)]
struct LiveSummary {
    /// `@availabilityStartTime`, seconds since the Unix epoch.
    availability_start_unix_s: f64,
    /// `@minimumUpdatePeriod`.
    update_period_s: Option<f64>,
    /// `@timeShiftBufferDepth`: the DVR window.
    window_s: Option<f64>,
    /// `@suggestedPresentationDelay`.
    suggested_delay_s: Option<f64>,
    /// `ServiceDescription > Latency@target`.
    target_latency_s: Option<f64>,
    /// The `<UTCTiming>` clocks Flick can read.
    clocks: Vec<String>,
    /// `<Location>`s.
    locations: Vec<String>,
}

#[derive(Serialize, Debug)]
struct PeriodSummary {
    index: usize,
    id: Option<String>,
    start_s: f64,
    duration_s: Option<f64>,
    /// Flick plays the first period only.
    played: bool,
    tracks: Vec<TrackSummary>,
}

#[derive(Serialize, Debug)]
struct TrackSummary {
    kind: TrackKind,
    id: Option<String>,
    language: Option<String>,
    mime_type: Option<String>,
    /// Every distinct `@codecs` of its representations.
    codecs: Vec<String>,
    /// Whether Flick plays it (the first video and the first audio track of the played period).
    played: bool,
    representations: Vec<RungSummary>,
}

#[derive(Serialize, Debug)]
struct RungSummary {
    id: String,
    bandwidth_bps: u64,
    width: Option<u32>,
    height: Option<u32>,
    frame_rate: Option<String>,
    codecs: Option<String>,
    mime_type: Option<String>,
    audio_sampling_rate: Option<String>,
    /// Its base URLs, best first, with their location ids.
    base_urls: Vec<BaseUrlSummary>,
    segments: SegmentsSummary,
}

#[derive(Serialize, Debug)]
struct BaseUrlSummary {
    url: String,
    location: String,
}

/// How a representation's segments are addressed.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Addressing {
    /// A SegmentTemplate: each segment's URL and timing computed when asked, none stored.
    Template,
    /// Listed one by one (SegmentList).
    Listed,
    /// SegmentBase: the segments are in a `sidx` index fetched before playback.
    Indexed,
}

#[derive(Serialize, Debug)]
struct SegmentsSummary {
    addressing: Addressing,
    /// How many media segments (unknown until the `sidx` is fetched, for `indexed`).
    count: Option<u64>,
    init: Option<ResourceSummary>,
    /// The `sidx` byte range, for `indexed`.
    index: Option<ResourceSummary>,
    first: Option<SegmentSummary>,
    last: Option<SegmentSummary>,
}

#[derive(Serialize, Debug)]
struct ResourceSummary {
    /// Resolved against the first base URL when it resolves; as written otherwise.
    url: String,
    /// `start-end`, inclusive.
    range: Option<String>,
}

#[derive(Serialize, Debug)]
struct SegmentSummary {
    number: u64,
    start_s: f64,
    duration_s: f64,
    url: String,
    range: Option<String>,
}

#[derive(Serialize, Debug)]
struct LocationSummary {
    id: String,
    priority: Option<u32>,
    weight: Option<u32>,
}

#[derive(Serialize, Debug)]
struct SteeringSummary {
    server: String,
    default_service_location: Option<String>,
    query_before_start: bool,
}

/// How much a notice matters.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Severity {
    /// Worth knowing.
    Info,
    /// Part of the manifest is not played.
    Warning,
    /// Flick would not play it.
    Error,
}

/// One thing Flick does not do with this manifest (or that is worth knowing), with a short code.
#[derive(Serialize, Debug)]
struct Notice {
    code: &'static str,
    severity: Severity,
    message: String,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn range_text(resource: &SegmentRef) -> Option<String> {
    resource.range.map(|r| format!("{}-{}", r.start, r.end))
}

impl Summary {
    pub(super) fn new(source: &str) -> Summary {
        Summary {
            source: source.to_string(),
            manifest_url: None,
            bytes: None,
            parse_ms: None,
            total_ms: 0.0,
            playable: false,
            error: None,
            duration_s: None,
            min_buffer_time_s: None,
            periods: Vec::new(),
            locations: Vec::new(),
            steering: None,
            live: None,
            notices: Vec::new(),
        }
    }

    fn notice(&mut self, code: &'static str, severity: Severity, message: String) {
        self.notices.push(Notice { code, severity, message });
    }

    /// Fill the summary in from `presentation`; the first reason it is not playable, if any.
    pub(super) fn describe(&mut self, presentation: &Presentation) -> Result<(), Failure> {
        self.duration_s = presentation.duration.map(secs);
        self.min_buffer_time_s = presentation.min_buffer_time.map(secs);
        self.live = presentation.live.as_ref().map(|l| LiveSummary {
            availability_start_unix_s: secs(l.availability_start),
            update_period_s: l.minimum_update_period.map(secs),
            window_s: l.time_shift_buffer_depth.map(secs),
            suggested_delay_s: l.suggested_presentation_delay.map(secs),
            target_latency_s: l.latency.and_then(|t| t.target).map(secs),
            clocks: l
                .utc_timing
                .iter()
                .map(|t| match t {
                    flick_player::presentation::UtcTiming::Direct(d) => format!("direct {:.3}", secs(*d)),
                    flick_player::presentation::UtcTiming::HttpBody(u) => format!("http-iso {u}"),
                    flick_player::presentation::UtcTiming::HttpHead(u) => format!("http-head {u}"),
                })
                .collect(),
            locations: l.locations.iter().map(|u| u.to_string()).collect(),
        });
        for warning in &presentation.warnings {
            self.notice("lenient", Severity::Warning, warning.clone());
        }
        self.locations = presentation
            .locations
            .iter()
            .map(|l| LocationSummary { id: l.id.clone(), priority: l.priority, weight: l.weight })
            .collect();
        self.steering = presentation.steering.as_ref().map(|s| SteeringSummary {
            server: s.server.to_string(),
            default_service_location: s.default_service_location.clone(),
            query_before_start: s.query_before_start,
        });
        let location_id = |i: usize| presentation.locations.get(i).map_or("?".to_string(), |l| l.id.clone());
        for (index, period) in presentation.periods.iter().enumerate() {
            // As the core chooses: the first video and the first audio track with a representation.
            let played_track = |kind: TrackKind| {
                period.tracks.iter().position(|t| t.kind == kind && !t.representations.is_empty())
            };
            let played = [played_track(TrackKind::Video), played_track(TrackKind::Audio)];
            let tracks = period
                .tracks
                .iter()
                .enumerate()
                .map(|(i, track)| track_summary(track, index == 0 && played.contains(&Some(i)), &location_id))
                .collect();
            self.periods.push(PeriodSummary {
                index,
                id: period.id.clone(),
                start_s: secs(period.start),
                duration_s: period.duration.map(secs),
                played: index == 0,
                tracks,
            });
        }
        if presentation.duration.is_none() && presentation.live.is_none() {
            self.notice(
                "duration_unknown",
                Severity::Info,
                "the presentation's duration is not known".into(),
            );
        }
        if presentation.periods.len() > 1 {
            self.notice(
                "multi_period",
                Severity::Warning,
                format!(
                    "{} periods: Flick plays the first period only today, then stops with an `unplayable` error (periods 1 to {} are not played)",
                    presentation.periods.len(),
                    presentation.periods.len() - 1
                ),
            );
        }
        let Some(first) = self.periods.first() else {
            let message = "the presentation has no period".to_string();
            self.notice("no_period", Severity::Error, message.clone());
            return Err(failure("no_period", message));
        };
        let texts: Vec<String> = first
            .tracks
            .iter()
            .filter(|t| t.kind == TrackKind::Text)
            .map(|t| t.language.clone().unwrap_or_else(|| "und".into()))
            .collect();
        let played_kinds: Vec<TrackKind> = first.tracks.iter().filter(|t| t.played).map(|t| t.kind).collect();
        let extra: Vec<String> = first
            .tracks
            .iter()
            .filter(|t| !t.played && t.kind != TrackKind::Text)
            .map(|t| format!("{:?} {}", t.kind, t.language.as_deref().unwrap_or("und")).to_lowercase())
            .collect();
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        for track in first.tracks.iter().filter(|t| t.played) {
            for rung in &track.representations {
                if rung.segments.count == Some(0) {
                    problems.push((
                        "no_segments",
                        format!(
                            "representation {:?} of the played {:?} track has no segment",
                            rung.id, track.kind
                        )
                        .to_lowercase(),
                    ));
                }
                if rung.base_urls.is_empty() {
                    problems.push(("no_base_url", format!("representation {:?} has no base URL", rung.id)));
                }
            }
        }
        let indexed: usize = first
            .tracks
            .iter()
            .filter(|t| t.played)
            .flat_map(|t| &t.representations)
            .filter(|r| r.segments.addressing == Addressing::Indexed)
            .count();
        if !texts.is_empty() {
            self.notice(
                "text_not_played",
                Severity::Warning,
                format!("{} text track(s) ({}): subtitles are not shown yet", texts.len(), texts.join(", ")),
            );
        }
        if !extra.is_empty() {
            self.notice(
                "extra_tracks",
                Severity::Info,
                format!("not played at start (the first video and audio tracks are): {}", extra.join(", ")),
            );
        }
        for (kind, name) in [(TrackKind::Video, "no_video"), (TrackKind::Audio, "no_audio")] {
            if !played_kinds.is_empty() && !played_kinds.contains(&kind) {
                self.notice(
                    name,
                    Severity::Info,
                    format!("no {kind:?} track: plays without it").to_lowercase(),
                );
            }
        }
        if indexed > 0 {
            self.notice(
                "sidx_to_fetch",
                Severity::Info,
                format!(
                    "{indexed} played representation(s) keep their segments in a sidx index, fetched before playback starts"
                ),
            );
        }
        if played_kinds.is_empty() {
            problems.insert(0, ("no_playable_track", "the first period has no video or audio track".into()));
        }
        for (code, message) in &problems {
            self.notice(code, Severity::Error, message.clone());
        }
        match problems.into_iter().next() {
            Some((code, message)) => Err(failure(code, message)),
            None => Ok(()),
        }
    }

    /// The summary for people.
    pub(super) fn write_text(&self, out: &mut impl Write) -> std::io::Result<()> {
        let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} ms"));
        let s = |v: Option<f64>| v.map_or("unknown".to_string(), |v| format!("{v:.3} s"));
        writeln!(out, "manifest {}", self.manifest_url.as_deref().unwrap_or(&self.source))?;
        if let Some(bytes) = self.bytes {
            writeln!(out, "  {bytes} bytes, parsed in {}", ms(self.parse_ms))?;
        }
        if self.error.is_none() || !self.periods.is_empty() {
            writeln!(out, "  duration {}, min buffer {}", s(self.duration_s), s(self.min_buffer_time_s))?;
        }
        if let Some(live) = &self.live {
            writeln!(
                out,
                "  live: window {}, updates every {}, suggested delay {}, target latency {}",
                s(live.window_s),
                s(live.update_period_s),
                s(live.suggested_delay_s),
                s(live.target_latency_s)
            )?;
            for clock in &live.clocks {
                writeln!(out, "  clock {clock}")?;
            }
            for location in &live.locations {
                writeln!(out, "  next MPD at {location}")?;
            }
        }
        for period in &self.periods {
            let id = period.id.as_deref().map(|id| format!(" id={}", short(id, 40))).unwrap_or_default();
            let played = if period.played { "" } else { "  (not played)" };
            writeln!(
                out,
                "period {}{id}: start {}, duration {}{played}",
                period.index,
                s(Some(period.start_s)),
                s(period.duration_s)
            )?;
            for track in &period.tracks {
                let kind = format!("{:?}", track.kind).to_lowercase();
                let played = if track.played { "  (played)" } else { "" };
                writeln!(
                    out,
                    "  {kind} track{}: lang {}, {}, codecs {}{played}",
                    track.id.as_deref().map(|id| format!(" {}", short(id, 40))).unwrap_or_default(),
                    track.language.as_deref().map_or("-".into(), |l| short(l, 20)),
                    track.mime_type.as_deref().map_or("-".into(), |m| short(m, 40)),
                    if track.codecs.is_empty() {
                        "-".to_string()
                    } else {
                        short(&track.codecs.join(", "), 80)
                    },
                )?;
                for rung in &track.representations {
                    write_rung(out, rung)?;
                }
            }
        }
        if !self.locations.is_empty() {
            writeln!(out, "locations")?;
            for l in &self.locations {
                let opt = |v: Option<u32>| v.map_or("-".to_string(), |v| v.to_string());
                writeln!(
                    out,
                    "  {}: priority {}, weight {}",
                    short(&l.id, 60),
                    opt(l.priority),
                    opt(l.weight)
                )?;
            }
        }
        if let Some(steering) = &self.steering {
            writeln!(
                out,
                "content steering {}: default location {}, query before start {}",
                short(&steering.server, 120),
                steering.default_service_location.as_deref().map_or("-".into(), |l| short(l, 40)),
                steering.query_before_start
            )?;
        }
        for notice in &self.notices {
            let severity = format!("{:?}", notice.severity).to_lowercase();
            writeln!(out, "{severity}[{}]: {}", notice.code, one_line(&notice.message))?;
        }
        match &self.error {
            None => writeln!(out, "playable"),
            Some(_) => writeln!(out, "not playable"),
        }
    }
}

fn write_rung(out: &mut impl Write, rung: &RungSummary) -> std::io::Result<()> {
    let mut line = format!("    {} {:.0} kbit/s", short(&rung.id, 40), rung.bandwidth_bps as f64 / 1000.0);
    if let (Some(w), Some(h)) = (rung.width, rung.height) {
        line.push_str(&format!(" {w}x{h}"));
    }
    if let Some(rate) = &rung.frame_rate {
        line.push_str(&format!(" {} fps", short(rate, 20)));
    }
    if let Some(rate) = &rung.audio_sampling_rate {
        line.push_str(&format!(" {} Hz", short(rate, 20)));
    }
    if let Some(codecs) = &rung.codecs {
        line.push_str(&format!(" {}", short(codecs, 40)));
    }
    let segments = &rung.segments;
    let count = segments.count.map_or("unknown".to_string(), |c| c.to_string());
    let how = match segments.addressing {
        Addressing::Template => format!("{count} segments, template (computed lazily)"),
        Addressing::Listed => format!("{count} segments, listed"),
        Addressing::Indexed => "segments in a sidx index, fetched at start".to_string(),
    };
    writeln!(out, "{line}: {how}")?;
    if let Some(base) = rung.base_urls.first() {
        let more = if rung.base_urls.len() > 1 {
            format!(" (+{} more)", rung.base_urls.len() - 1)
        } else {
            "".into()
        };
        writeln!(out, "      base {} [{}]{more}", short(&base.url, 100), short(&base.location, 40))?;
    }
    if let Some(index) = &segments.index {
        writeln!(
            out,
            "      index {}{}",
            short(&index.url, 100),
            index.range.as_deref().map(|r| format!(" bytes {r}")).unwrap_or_default()
        )?;
    }
    for (name, segment) in [("first", &segments.first), ("last", &segments.last)] {
        if let Some(seg) = segment {
            writeln!(
                out,
                "      {name} #{} at {:.3} s for {:.3} s: {}{}",
                seg.number,
                seg.start_s,
                seg.duration_s,
                short(&seg.url, 100),
                seg.range.as_deref().map(|r| format!(" bytes {r}")).unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

/// `text` on one line, cut to `max` characters (saying how long it was).
pub(super) fn short(text: &str, max: usize) -> String {
    let text = one_line(text);
    let len = text.chars().count();
    if len <= max {
        return text;
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({len} chars)")
}

fn track_summary(track: &Track, played: bool, location_id: &impl Fn(usize) -> String) -> TrackSummary {
    let mut codecs: Vec<String> = Vec::new();
    for codec in track.representations.iter().filter_map(|r| r.codecs.clone()) {
        if !codecs.contains(&codec) {
            codecs.push(codec);
        }
    }
    TrackSummary {
        kind: track.kind,
        id: track.id.clone(),
        language: track.language.clone(),
        mime_type: track.mime_type.clone(),
        codecs,
        played,
        representations: track.representations.iter().map(|r| rung_summary(r, location_id)).collect(),
    }
}

fn rung_summary(rep: &Representation, location_id: &impl Fn(usize) -> String) -> RungSummary {
    let base = rep.base_urls.first().map(|b| &b.url);
    // As the player asks for it: joined to the first base URL (kept as written if it does not join).
    let resolve = |resource: &SegmentRef| ResourceSummary {
        url: base
            .and_then(|b| b.join(&resource.url).ok())
            .map_or_else(|| resource.url.clone(), |u| u.to_string()),
        range: range_text(resource),
    };
    let segments = match &rep.segments {
        SegmentIndex::Listed { init, segments } => SegmentsSummary {
            addressing: if segments.is_computed() { Addressing::Template } else { Addressing::Listed },
            count: Some(segments.len() as u64),
            init: init.as_ref().map(resolve),
            index: None,
            first: segment_summary(segments, 0, &resolve),
            last: segments.len().checked_sub(1).and_then(|i| segment_summary(segments, i, &resolve)),
        },
        SegmentIndex::Indexed { init, index, .. } => SegmentsSummary {
            addressing: Addressing::Indexed,
            count: None,
            init: init.as_ref().map(resolve),
            index: Some(resolve(index)),
            first: None,
            last: None,
        },
    };
    RungSummary {
        id: rep.id.clone(),
        bandwidth_bps: rep.bandwidth.bps(),
        width: rep.width,
        height: rep.height,
        frame_rate: rep.frame_rate.clone(),
        codecs: rep.codecs.clone(),
        mime_type: rep.mime_type.clone(),
        audio_sampling_rate: rep.audio_sampling_rate.clone(),
        base_urls: rep
            .base_urls
            .iter()
            .map(|b| BaseUrlSummary { url: b.url.to_string(), location: location_id(b.location) })
            .collect(),
        segments,
    }
}

/// Segment `i` (its URL built now, for a template: one segment, never the list).
fn segment_summary(
    segments: &Segments,
    i: usize,
    resolve: &impl Fn(&SegmentRef) -> ResourceSummary,
) -> Option<SegmentSummary> {
    let segment = segments.get(i)?;
    let resource = resolve(&segment.location);
    Some(SegmentSummary {
        number: segment.number,
        start_s: secs(segment.start),
        duration_s: secs(segment.duration),
        url: resource.url,
        range: resource.range,
    })
}
