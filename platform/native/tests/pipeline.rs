//! The native driver with its GStreamer media pipeline, against a real test CDN on loopback and
//! real ffmpeg content (two rungs of distinct sizes, English and French audio): seeking, pausing,
//! switching quality and switching audio language, each checked on what the decoder really
//! produced (frame timestamps and sizes, audio reaching the sink).
//!
//! `FLICK_SKIP_FFMPEG_TESTS=1` skips these tests.

use flick_native::media::{AudioOutput, FrameInfo, FrameSlot, MediaConfig, VideoFormat};
use flick_native::{Command, Controller, HeadlessOptions, NativeSession, SessionStatus, StatusFeed};
use flick_player::presentation::TrackKind;
use flick_player::{PlayerConfig, PlayerState, SessionReport};
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, ffmpeg_ready};
use flick_tests::media::{MediaSpec, encode_media};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::sleep;

/// Long enough for any of these steps on a loaded 2-core machine; never reached when things work.
const PATIENCE: Duration = Duration::from_secs(30);

struct Running {
    _dir: TempDir,
    cdn: TestCdn,
    frames: FrameSlot,
    control: Controller,
    feed: StatusFeed,
    session: JoinHandle<SessionReport>,
}

impl Running {
    /// Encode a clip of `secs`, serve it from one location and start a session with a media
    /// pipeline (null audio sink, RGBA frames) and a small buffer, so quality changes show soon.
    async fn start(name: &str, secs: u64, initial_rung: Option<usize>) -> Option<Running> {
        Self::start_with(name, secs, initial_rung, false, |_| {}).await
    }

    /// [`Running::start`], with a `SegmentTimeline` if `timeline`, and the content's folder
    /// changed by `edit` before it is served.
    async fn start_with(
        name: &str,
        secs: u64,
        initial_rung: Option<usize>,
        timeline: bool,
        edit: impl FnOnce(&std::path::Path),
    ) -> Option<Running> {
        if !ffmpeg_ready() {
            return None;
        }
        let dir = TempDir::new(name);
        let mut spec = MediaSpec::two_languages(Duration::from_secs(secs));
        spec.timeline = timeline;
        let path = dir.0.clone();
        tokio::task::spawn_blocking(move || encode_media(&path, &spec)).await.expect("encode");
        edit(&dir.0);
        let mut config = ServeConfig::new(dir.0.clone());
        config.cdns = 1;
        let cdn = TestCdn::start(config).await.expect("the CDN starts");
        let player =
            PlayerConfig { max_buffer: Duration::from_secs(4), initial_rung, ..PlayerConfig::default() };
        let options = HeadlessOptions { player, ..HeadlessOptions::default() };
        let media = MediaConfig { audio: AudioOutput::Null, video: VideoFormat::Rgba };
        let session = NativeSession::headless(&cdn.manifest_url(), options)
            .unwrap()
            .with_media(media)
            .expect("GStreamer");
        let frames = session.frames().expect("a media pipeline");
        let control = session.controller();
        let feed = session.status_feed();
        let session = tokio::spawn(async move { session.run().await.expect("the session runs") });
        Some(Running { _dir: dir, cdn, frames, control, feed, session })
    }

    async fn until(&self, what: &str, mut done: impl FnMut(&SessionStatus, &[FrameInfo]) -> bool) {
        let start = tokio::time::Instant::now();
        loop {
            let status = self.feed.get();
            assert!(status.error.is_none(), "{what}: the session failed: {:?}", status.error);
            if done(&status, &self.frames.history()) {
                return;
            }
            assert!(start.elapsed() < PATIENCE, "{what}: not seen in {PATIENCE:?}; status {status:#?}");
            sleep(Duration::from_millis(50)).await;
        }
    }

    async fn finish(self) -> SessionReport {
        self.control.send(Command::Stop);
        let report = tokio::time::timeout(PATIENCE, self.session).await.expect("stops").expect("no panic");
        self.cdn.shutdown().await;
        report
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_seek_frames_start_at_the_position_asked_for() {
    let Some(run) = Running::start("pipeline-seek", 12, None).await else { return };
    run.until("first frames", |_, f| f.len() >= 10).await;
    let mark = run.frames.count() as usize;
    let target = Duration::from_millis(7_300);
    run.control.send(Command::Seek(target));
    // The first frame of the new pipeline is the first one at or past the target, not the
    // segment's first (6.0 s): earlier frames are clipped.
    run.until("frames after the seek", |_, f| f.iter().skip(mark).any(|i| i.pts >= target)).await;
    run.until("playback moves on", |s, _| s.position > target + Duration::from_millis(500)).await;
    let history = run.frames.history();
    let after: Vec<&FrameInfo> = history.iter().skip(mark).collect();
    let jump = after.iter().position(|i| i.pts >= target).expect("a frame past the target");
    let first = after[jump].pts;
    assert!(
        first >= target && first < target + Duration::from_millis(80),
        "first frame after the seek at {:.3} s, asked {:.3} s",
        secs(first),
        secs(target)
    );
    assert!(after[jump..].iter().all(|i| i.pts >= target), "no frame before the target after the jump");
    assert!(after[jump..].windows(2).all(|w| w[1].pts > w[0].pts), "timestamps keep increasing");
    let report = run.finish().await;
    assert!(report.error.is_none(), "{:?}", report.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_freezes_frames_and_position_and_playing_resumes_them() {
    let Some(run) = Running::start("pipeline-pause", 10, None).await else { return };
    run.until("playing", |s, f| s.state == Some(PlayerState::Playing) && f.len() >= 10).await;
    run.control.send(Command::Pause);
    run.until("paused", |s, _| s.state == Some(PlayerState::Paused)).await;
    sleep(Duration::from_millis(300)).await;
    let (frames, position) = (run.frames.count(), run.feed.get().position);
    sleep(Duration::from_secs(1)).await;
    assert_eq!(run.frames.count(), frames, "no frame while paused");
    assert_eq!(run.feed.get().position, position, "the position holds while paused");
    run.control.send(Command::Play);
    run.until("frames again", |s, _| {
        s.state == Some(PlayerState::Playing) && run.frames.count() > frames + 5
    })
    .await;
    run.until("the position moves again", |s, _| s.position > position + Duration::from_millis(200)).await;
    let history = run.frames.history();
    assert!(history.windows(2).all(|w| w[1].pts > w[0].pts), "one continuous run of timestamps");
    let report = run.finish().await;
    assert!(report.error.is_none(), "{:?}", report.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seek_while_paused_shows_the_target_frame_and_stays_paused() {
    let Some(run) = Running::start("pipeline-paused-seek", 12, None).await else { return };
    run.until("playing", |s, f| s.state == Some(PlayerState::Playing) && f.len() >= 10).await;
    run.control.send(Command::Pause);
    run.until("paused", |s, _| s.state == Some(PlayerState::Paused)).await;
    let target = Duration::from_millis(8_500);
    run.control.send(Command::Seek(target));
    // The frame shown is the one on screen at the target (25 fps: it starts less than 40 ms
    // before it), not the first of its segment (8.0 s).
    let frame = Duration::from_millis(40);
    run.until("the target frame", |_, f| f.last().is_some_and(|i| i.pts + frame > target)).await;
    let shown = run.frames.history().last().copied().expect("a frame");
    assert!(shown.pts <= target && shown.pts + frame > target, "showing {:.3} s", secs(shown.pts));
    let count = run.frames.count();
    sleep(Duration::from_secs(1)).await;
    assert_eq!(run.frames.count(), count, "still paused: one frame shown, no more");
    run.control.send(Command::Play);
    run.until("playing on from the target", |s, _| s.position > target + Duration::from_millis(300)).await;
    assert!(run.frames.count() > count, "frames after play");
    let report = run.finish().await;
    assert!(report.error.is_none(), "{:?}", report.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_rung_brings_frames_of_its_size_without_a_break_in_time() {
    let Some(run) = Running::start("pipeline-quality", 14, Some(0)).await else { return };
    run.control.send(Command::SetQuality(Some(0)));
    run.until("small frames", |_, f| f.iter().filter(|i| i.width == 160).count() >= 10).await;
    run.control.send(Command::SetQuality(Some(1)));
    run.until("large frames", |_, f| f.iter().filter(|i| i.width == 320).count() >= 10).await;
    let history = run.frames.history();
    let switch = history.iter().position(|i| i.width == 320).expect("a large frame");
    assert!(switch > 0, "small frames came first");
    assert_eq!((history[switch - 1].width, history[switch - 1].height), (160, 90));
    assert_eq!(history[switch].height, 180);
    let gap = history[switch].pts.saturating_sub(history[switch - 1].pts);
    assert!(
        history[switch].pts > history[switch - 1].pts && gap < Duration::from_millis(100),
        "the new size continues the timeline: {:.3} s then {:.3} s",
        secs(history[switch - 1].pts),
        secs(history[switch].pts)
    );
    assert_eq!(run.feed.get().pinned_rung, Some(1));
    let report = run.finish().await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(report.switches >= 1, "the report counts the switch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_audio_language_plays_from_where_the_first_left_off() {
    let Some(run) = Running::start("pipeline-audio", 12, None).await else { return };
    run.until("audio playing", |s, _| s.audio.0 > 20 && s.position > Duration::from_secs(1)).await;
    let status = run.feed.get();
    assert_eq!(status.audio_tracks, vec![Some("eng".to_string()), Some("fra".to_string())]);
    assert_eq!(status.audio_track, Some(0));
    let at = status.position;
    run.control.send(Command::SelectTrack(TrackKind::Audio, 1));
    run.until("French audio", |s, _| {
        s.audio_track == Some(1) && s.notes.iter().any(|n| n.contains("Audio track fra"))
    })
    .await;
    // The pipeline was flushed: the new audio counter restarts, and audio reaches the sink again
    // from about where playback was.
    run.until("audio after the change", |s, _| {
        s.audio.0 > 20 && s.audio.1.is_some_and(|t| t > at + Duration::from_millis(500))
    })
    .await;
    let frames = run.frames.count();
    run.until("video goes on", |_, _| run.frames.count() > frames + 10).await;
    let run_cdn_requests: Vec<String> = run.cdn.requests().iter().map(|r| r.path.clone()).collect();
    let report = run.finish().await;
    assert!(report.error.is_none(), "{:?}", report.error);
    let requested = run_cdn_requests.iter().filter(|path| path.contains("stream3")).count();
    assert!(requested > 0, "the French representation was fetched: {run_cdn_requests:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_segment_neither_panics_nor_hangs() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("pipeline-hostile");
    let spec = MediaSpec::two_languages(Duration::from_secs(8));
    let path = dir.0.clone();
    tokio::task::spawn_blocking(move || encode_media(&path, &spec)).await.expect("encode");
    // The second video segment of every rung: bytes that are no MP4 at all.
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let video = name.starts_with("chunk-stream0-") || name.starts_with("chunk-stream1-");
        if video && name.ends_with("00002.m4s") {
            let garbage: Vec<u8> =
                (0..40_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
            std::fs::write(&path, garbage).unwrap();
        }
    }
    let mut config = ServeConfig::new(dir.0.clone());
    config.cdns = 1;
    let cdn = TestCdn::start(config).await.expect("the CDN starts");
    let options = HeadlessOptions { duration: Some(Duration::from_secs(15)), ..HeadlessOptions::default() };
    let media = MediaConfig { audio: AudioOutput::Null, video: VideoFormat::Native };
    let session = NativeSession::headless(&cdn.manifest_url(), options).unwrap().with_media(media).unwrap();
    let report = tokio::time::timeout(PATIENCE, session.run()).await.expect("ends").expect("runs");
    cdn.shutdown().await;
    // qtdemux skips bytes it cannot parse and finds the next fragment; should a decoder fail
    // instead, the session ends with a typed error. Either way: no panic, no hang.
    match &report.error {
        Some(error) => assert_eq!(error.kind, "decode_failed", "{}", error.message),
        None => assert!(report.played_s > 6.0, "played on past the broken segment: {}", report.played_s),
    }
}

/// The MPD says the presentation lasts 3 s longer than its media: the core ends each track after
/// its last segment and the decoder plays out to the real end, without the driver guessing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_shorter_than_its_declared_duration_plays_out_to_its_end() {
    let longer = |dir: &std::path::Path| {
        let path = dir.join("manifest.mpd");
        let mpd = std::fs::read_to_string(&path).expect("the MPD");
        let declared = regex_free_replace(&mpd, "mediaPresentationDuration=\"", "PT9S");
        std::fs::write(&path, declared).expect("write the MPD");
    };
    // A timeline lists the segments there are, whatever duration the MPD declares.
    let Some(run) = Running::start_with("pipeline-short-end", 6, Some(0), true, longer).await else { return };
    let report =
        tokio::time::timeout(PATIENCE, run.session).await.expect("ends by itself").expect("no panic");
    let status = run.feed.get();
    run.cdn.shutdown().await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(status.played_out, "the decoder reached the end of every track: {status:#?}");
    assert!((report.played_s - 6.0).abs() < 0.5, "played {} s of 6 s of media", report.played_s);
    let last = run.frames.history().last().map(|f| f.pts).expect("frames");
    assert!(secs(last) > 5.8, "the last frames came out of the decoder (last at {last:?})");
}

/// `text` with the value of the attribute that `opening` (`name="`) starts replaced by `value`.
fn regex_free_replace(text: &str, opening: &str, value: &str) -> String {
    let start = text.find(opening).expect("the attribute") + opening.len();
    let end = start + text[start..].find('"').expect("its closing quote");
    format!("{}{value}{}", &text[..start], &text[end..])
}

/// A decoder that takes nothing more (a pipeline paused past its preroll) holds the appends in
/// its track's queue: once the next would pass the limit it is refused with a typed error, and
/// the queue never holds more than the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_past_the_queue_limit_are_refused() {
    use flick_native::media::{MediaError, MediaPipeline, QueueLimits};
    use flick_player::{Append, AppendKind};
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("pipeline-queue");
    let spec = MediaSpec::two_languages(Duration::from_secs(8));
    let path = dir.0.clone();
    tokio::task::spawn_blocking(move || encode_media(&path, &spec)).await.expect("encode");
    let read = |name: &str| flick_player::io::Bytes::from(std::fs::read(dir.0.join(name)).expect(name));
    let init = read("init-stream0.m4s");
    let segments: Vec<flick_player::io::Bytes> =
        (1..=4).map(|n| read(&format!("chunk-stream0-{n:05}.m4s"))).collect();
    let append = |kind, segment: Option<usize>, data: flick_player::io::Bytes| Append {
        track: TrackKind::Video,
        kind,
        representation: "0".into(),
        rung: 0,
        segment,
        start: Duration::from_secs(2 * segment.unwrap_or(0) as u64),
        duration: Duration::from_secs(2),
        data,
    };

    const LIMIT: u64 = 256 * 1024;
    let mut pipeline =
        MediaPipeline::new(MediaConfig { audio: AudioOutput::Null, video: VideoFormat::Native })
            .expect("GStreamer");
    pipeline.set_queue_limits(QueueLimits { video: LIMIT, audio: LIMIT });
    pipeline.append(&append(AppendKind::Init, None, init)).expect("the init segment");
    let mut appended = 0u64;
    let mut refused = None;
    // The same four segments over and over (up to ~15 MB): the paused pipeline stops taking them.
    for i in 0..400 {
        let data = segments[i % segments.len()].clone();
        let len = data.len() as u64;
        match pipeline.append(&append(AppendKind::Media, Some(i), data)) {
            Ok(()) => appended += len,
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
        assert!(
            pipeline.queued(TrackKind::Video) <= LIMIT,
            "{} bytes queued",
            pipeline.queued(TrackKind::Video)
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    match refused {
        Some(MediaError::QueueFull { track, queued, append, limit }) => {
            assert_eq!((track.as_str(), limit), ("video", LIMIT));
            assert!(queued + append > LIMIT, "{queued} + {append}");
            let e = MediaError::QueueFull { track, queued, append, limit };
            assert_eq!(e.kind(), "decoder_queue_full");
        }
        other => panic!("not refused after {appended} bytes: {other:?}"),
    }
    assert!(appended > LIMIT, "only {appended} bytes went in before the refusal");
}
