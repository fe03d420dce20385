//! # CDN failover
//!
//! A stream is often served by several CDNs or servers at once, and one of them failing should not
//! stop playback. The core handles this itself, with the same code in every driver; its policies
//! all live in [`crate::failover`] (`player/src/failover/`), and the player asks it where each
//! request goes and how long it may take.
//!
//! ## Locations
//!
//! A *location* is one CDN or server. The manifest parser ([`crate::manifest`]) makes them from
//! the MPD's BaseURLs: an absolute BaseURL starts a location, named by its `@serviceLocation` or
//! else by its host and port, with its DVB `@priority` and `@weight`; a relative BaseURL stays at
//! its parent's location; URLs resolved only against the manifest's own URL belong to the
//! location `origin`. Locations are sorted best first (lowest DVB `@priority`, then document
//! order) in [`crate::presentation::Presentation::locations`], and each representation lists one
//! base URL per location in that order ([`crate::presentation::BaseUrl`]). Each segment and index
//! request names the location it goes to ([`crate::FetchRequest::location`]).
//!
//! ## Candidate order
//!
//! For each init or media request, the representation's base URLs are tried in this order:
//!
//! 1. **Content steering**, when the MPD has a DASH-IF `<ContentSteering>` server: the order of
//!    its latest `SERVICE-LOCATION-PRIORITY` (locations it does not list come after, in their
//!    order). The server is asked when the presentation starts and again after each answer's `TTL`
//!    (300 s when it gives none), at its `RELOAD-URI` when it gives one, with `_DASH_pathway` (the
//!    location media comes from) and `_DASH_throughput` (the estimate). Its `PATHWAY-CLONES` add
//!    locations (a known one with its host replaced). A failed or unusable answer keeps the order
//!    it had and asks again 10 s later.
//! 2. Otherwise, **DVB `@weight`**: when at least one location has a weight, the session picks one
//!    of the most preferred locations (lowest `@priority`) with a probability proportional to its
//!    weight, drawn from [`crate::PlayerConfig::seed`] ([`crate::failover::location::weighted_choice`]),
//!    and tries it first.
//! 3. Otherwise, **the MPD's order**.
//!
//! ## Location health
//!
//! [`crate::failover::location::LocationSet`] keeps a [`crate::failover::location::LocationHealth`]
//! per location for the whole session: failures, consecutive failures, successes, when it last
//! failed and until when it is excluded. Health belongs to the location, not to the request, so a
//! location that failed a video segment is avoided by the audio track too.
//!
//! - A failure excludes the location for a backoff that starts at 1 s and doubles with each
//!   consecutive failure, up to 30 s. Failures less than 500 ms apart are one event (audio and
//!   video failing in the same outage must not count twice).
//! - A success clears the consecutive failures and the exclusion.
//! - A request goes to the first candidate that is neither excluded nor recovering. A location
//!   whose exclusion is over but which has not succeeded since it failed is *recovering*: it is
//!   tried again (probed) only when the track has at least [`crate::PlayerConfig::probe_buffer`]
//!   of media buffered (10 s by default), so a probe that fails costs nothing visible, or when no
//!   healthy candidate is left. A probe that succeeds makes it healthy again, and requests go
//!   back to it if it is ranked first.
//! - When every candidate is excluded, the track waits until the first exclusion ends (never past
//!   the moment it would give up).
//!
//! After a failed init or media request, the segment is asked for again at once, at the same rung,
//! from whichever location this picks. [`crate::PlayerEvent::RequestFailed`] reports each failure,
//! [`crate::PlayerEvent::LocationChanged`] each change of the location media requests go to.
//!
//! ## Buffer-aware request timeouts
//!
//! A location can fail by saying nothing. [`crate::RequestTimeouts`]
//! ([`crate::PlayerConfig::request_timeouts`]) limits how long a request may wait for its answer
//! (`first_byte`, 4 s by default) and how long a body may pause between two pieces (`stall`,
//! 4 s). For init and media requests both limits shrink with the track's buffer when the request
//! is sent: they become `buffer_fraction` (0.25) of it, never less than `min` (1.5 s) and never
//! more than the configured limits. With 2 s of buffer a silent location is left after 1.5 s,
//! with 16 s or more after 4 s: with little buffer the core switches at the first sign of trouble,
//! with a deep one it is patient. The wait for the answer is never shorter than three times the
//! measured latency, so a distant server is not taken for a dead one. Manifest, segment index and
//! steering requests use the configured limits as they are.
//!
//! A location can also fail by saying almost nothing: a body that keeps bringing a byte now and
//! then resets any pause limit. So every body, of every kind of request, must keep up a floor
//! over each [`crate::failover::PROGRESS_WINDOW`] (2 s): a tenth of its rung's bit rate for media
//! (never less than 8 kbit/s), 8 kbit/s for the rest. A body below it is a failing location, like
//! a silent one: it is cut and the rest asked for elsewhere. One that still brought 8 kbit/s
//! ([`crate::failover::ALIVE_BPS`]) is slow rather than dead: it does not count towards giving
//! up, so a network slower than the content stalls and goes on instead of failing the session.
//!
//! When a limit passes, the core emits [`crate::Output::Cancel`] and treats the request as failed,
//! with [`crate::FetchError::Timeout`] if no answer came or [`crate::FetchError::Stalled`] if the
//! body stopped or trickled. With `request_timeouts: None` (the `pensieve` and `sabre` simulator models, to
//! match their references) a request waits however long it takes.
//!
//! ## Giving up
//!
//! The session never hangs on a dead CDN. A track's segment that has kept failing, wherever it was
//! sent, for [`crate::PlayerConfig::give_up_after`] (10 s by default) since its first failure ends
//! the session with [`crate::PlayerError::AllLocationsFailed`] (kind `all_locations_failed`),
//! which names what was being fetched and keeps the last [`crate::FetchError`]. The clock starts
//! at the segment's first failure and stops when a segment of the track arrives (or on a seek).
//! The manifest, which has one URL, is asked for again every second until the same limit. Segment
//! indexes (the `sidx` of a SegmentBase stream, fetched before playback, four at a time) fail over
//! across locations like segments and are given up after the same limit.
//!
//! ## Resuming a segment elsewhere
//!
//! When a media request fails part-way (a timeout, a reset, a stalled or truncated body; not an
//! HTTP error status), the bytes received are kept. If the retry is for the same segment at the
//! same rung and the rest can be named as a byte range (the segment's size is known from its
//! index or from the failed response's Content-Length, or the segment was itself a byte range),
//! the next location is asked for the rest only, and the bytes already received (when the driver
//! passed them) go in front of the rest, so the decoder gets the segment whole. Otherwise the
//! segment is fetched again from its start. With little buffer left, that byte range is often
//! what lets a segment arrive in time.
