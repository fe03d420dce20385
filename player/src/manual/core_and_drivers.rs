//! # What the core decides, what drivers do
//!
//! The division of labour is strict: every decision about a session is taken in the core, and a
//! driver only carries out the core's [`crate::Output`]s and reports what it observes as
//! [`crate::Input`]s. A driver holds no player logic: no retry policy, no timeout of its own beyond
//! a transport guard, no idea of when the stream ends or when playback has stalled. That is what
//! makes the simulator's results hold for the native and browser players.
//!
//! ## What the core decides
//!
//! - **What to fetch, and when.** Each selected track (the period's first video and first audio
//!   adaptation set; [`crate::Input::SelectTrack`] swaps one for another of its kind) asks for its next
//!   segment once the media buffered ahead, counting that segment when
//!   [`crate::PlayerConfig::count_next_segment`] is set, fits within
//!   [`crate::PlayerConfig::max_buffer`]. While it does not, the track waits for room (or polls,
//!   with [`crate::PlayerConfig::full_buffer_poll`]). An initialization segment is fetched beside
//!   the first media segment of each representation, from the same location; media that arrives
//!   first waits for it.
//! - **At which rung.** The video rung is the ABR algorithm's ([`flick_abr::Abr`]): the core
//!   builds the decision context (ladder, segment sizes when known, buffer level, throughput and
//!   latency estimates, last rung, ...) and asks it before each video segment, unless the viewer
//!   pinned a rung ([`crate::Input::SetQuality`]). While a video segment downloads, the algorithm
//!   may abandon it: the core cancels the request and fetches the segment again lower. Audio takes
//!   the highest rung whose bit rate is at most a tenth of the throughput estimate (the lowest
//!   until there is one).
//! - **Where from, how long to wait, when to give up.** See
//!   [CDN failover](crate::manual::_03_failover).
//! - **When playback starts, stalls, resumes and ends.** The core runs the playback clock: it
//!   starts once every track holds [`crate::PlayerConfig::start_threshold`] of media (zero: one
//!   segment), stops where the buffered media ends, and resumes after
//!   [`crate::PlayerConfig::resume_threshold`]. See [the buffer model](crate::manual::_04_buffer)
//!   and the stall check below. The states are [`crate::PlayerState`].
//! - **What the session scored.** See [the session report](crate::manual::_05_session_report).
//!
//! ## Outputs: what a driver does
//!
//! - [`crate::Output::Fetch`]: make the request ([`crate::FetchRequest`]: URL, optional byte
//!   range, extra headers such as CMCD) and report on it with inputs carrying its
//!   [`crate::RequestId`]. [`crate::FetchRequest::kind`], `track` and `location` say what it is
//!   for; a driver needs them only for logging or to decide whether to keep the body (below).
//! - [`crate::Output::Cancel`]: abort that request. The core sends it when a request is no longer
//!   wanted: a seek, an abandoned download, a timeout the core itself decided, media the decoder
//!   evicted, a failed session. A driver need not worry about answers already on their way: the core
//!   ignores every input about a request it no longer tracks.
//! - [`crate::Output::Append`]: hand [`crate::Append::data`] to the decoder, in the order given.
//!   An init segment ([`crate::AppendKind::Init`]) comes before the first media segment of a
//!   track, after every change of representation and after every flush. The data is empty when
//!   the driver handed the core only lengths.
//! - [`crate::Output::Flush`]: drop everything the decoder holds and continue from the position
//!   given (after a seek, or a change of audio track, which restarts playback where it was).
//! - [`crate::Output::EndOfStream`]: every segment of this track has been appended; the decoder
//!   can play it out to its end. It is per track: the native driver ends that track's `appsrc`
//!   (GStreamer's end-of-stream), the browser driver calls `MediaSource.endOfStream()` once every
//!   track has it and nothing is left in its append queues. A later [`crate::Output::Flush`]
//!   (a seek back) starts the track again. This way the decoder does not wait for more data, holding
//!   back the last frames, until the core's clock reaches the end.
//! - [`crate::Output::ReportDecoder`]: report the decoder's state now (below). Only a driver that
//!   renders is ever asked.
//! - [`crate::Output::Event`]: a [`crate::PlayerEvent`] for front ends, logs and metrics: state
//!   changes, quality and location changes, stalls, failed requests, evicted media, the session's
//!   error. A driver may follow some of them: the native driver runs its GStreamer pipeline while
//!   the core is `Playing` (or `Ended`, to play out), the browser driver calls the video
//!   element's `play()` and `pause()` as the state changes.
//!
//! Drivers without a decoder do less: the simulator makes fetches and cancels in its network
//! model and ignores every other output; the native driver headless does the same with real
//! requests.
//!
//! ## Inputs: what a driver tells the core
//!
//! **Commands** from the viewer or the embedding program: [`crate::Input::Load`] (a manifest
//! URL), [`crate::Input::LoadPresentation`] (an already built presentation, as the simulator's
//! ladders are), [`crate::Input::Play`], [`crate::Input::Pause`], [`crate::Input::Seek`],
//! [`crate::Input::SetQuality`] and [`crate::Input::SelectTrack`].
//!
//! **News about a request**, each carrying its id:
//!
//! - [`crate::Input::ResponseStarted`] once the response status is a success, with the body's
//!   Content-Length when the server announced one. A status that is not a success is
//!   [`crate::Input::Failed`] with [`crate::FetchError::Http`].
//! - [`crate::Input::Redirected`] first, when the client followed redirects: the URL that
//!   answered (a manifest's relative URLs resolve against it).
//! - [`crate::Input::Data`] for each piece of the body, as it arrives, so the core sees progress
//!   (for the ABR algorithm's abandonment checks and the stall timeouts).
//! - [`crate::Input::Complete`] when the body ended cleanly, or [`crate::Input::Failed`] with a
//!   [`crate::FetchError`] (timeout, reset, stalled, truncated, transport).
//!
//! A body has one shape, [`crate::Chunk`]: [`crate::Chunk::Bytes`] carries the bytes,
//! [`crate::Chunk::Counted`] only their number. The core parses manifests, segment indexes and
//! steering answers itself, so those always come as bytes. Media bodies come as bytes from a
//! driver that decodes (the native driver with a media pipeline, the browser driver) and may come
//! as counts from one that does not (the simulator, the native driver headless), which then
//! appends nothing real.
//!
//! The driver does not judge the body: the core does. When a body completes with fewer bytes than
//! its Content-Length announced, the core treats the request as failed with
//! [`crate::FetchError::Truncated`]; a reset after a body was cut short is also taken as
//! truncated. A body that grows past 256 MiB is cancelled. Inputs about a request the core
//! cancelled or never made are ignored, so a driver may hand over whatever is still in flight;
//! [`crate::Input::request`] and [`crate::Input::ends_request`] help it keep its own table of
//! requests.
//!
//! **The decoder's state**, from a driver that renders, in answer to
//! [`crate::Output::ReportDecoder`]: [`crate::Input::Playback`] (the position, when the decoder
//! knows it: not while it seeks), [`crate::Input::Buffered`] for each track whose appends it has
//! all processed (see [the buffer model](crate::manual::_04_buffer)) and
//! [`crate::Input::DecoderFrames`] (frames decoded and dropped). The browser driver also sends a
//! track's buffered ranges whenever its `SourceBuffer` queue runs empty.
//!
//! ## Decoder reports: one cadence
//!
//! A driver that renders sets [`crate::PlayerConfig::decoder_reports`] to
//! [`crate::DECODER_REPORTS`] (100 ms); the native driver does so when it has a media pipeline,
//! the browser driver always. The core then emits [`crate::Output::ReportDecoder`] at that
//! interval while a presentation is active, and the driver answers right away. There is no other
//! polling of the decoder: the cadence is the core's, one value for every front end. Without
//! decoder reports (the default, for the simulator and headless runs) the core's own playback
//! clock stands for the decoder.
//!
//! The decoder's position is trusted while the core is playing or paused: the core moves its
//! playback clock to it, so a decoder that runs a little behind the session clock (a busy page, a
//! late audio sink) is followed rather than contradicted.
//!
//! ## The stall check
//!
//! When the core's playback clock reaches the end of the media every track holds and more is to
//! come, playback may have stalled. Without decoder reports that is a stall at once: the clock
//! stops there, [`crate::PlayerEvent::StallStarted`] is emitted and the state becomes
//! `Buffering`. With decoder reports, the core first asks: it emits
//! [`crate::Output::ReportDecoder`] and waits up to one report interval. If the decoder reports a
//! position that moved on (by more than 10 ms since its previous report), the clock follows it and
//! there is no stall; if media arrives meanwhile, there is none either. Otherwise the stall is
//! called when the interval runs out, dated from the moment the clock reached the end of the
//! buffer. Only the core calls a stall; a driver never does.
//!
//! ## One status snapshot
//!
//! [`crate::Player::status`]`(now)` returns a [`crate::status::PlayerStatus`]: state, position,
//! duration, buffer and buffered range, the video rungs with the current and the pinned one,
//! throughput estimate, ABR algorithm, CDN location and its changes, audio and text tracks,
//! decoder frame counters, and the error if the session failed. It is the one definition of what
//! a statistics panel shows: the native driver's `StatusFeed` (which the `flick` window's panel
//! reads) is refreshed from it, and the browser's `player.status()` is built from it. For the
//! whole session afterwards there is [`crate::Player::report`] (see
//! [the session report](crate::manual::_05_session_report)).
