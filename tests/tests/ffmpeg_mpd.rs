//! MPDs written by ffmpeg's DASH muxer, parsed by `flick_player::manifest`.
//!
//! Each test encodes ~6 s of a synthetic 320x180 clip (three H.264 rungs and AAC audio, 2 s
//! segments) into a temporary directory, parses the MPD from disk and checks the tracks, the
//! ladder, the segment counts and timing against the content, and that every segment the
//! presentation lists exists on disk.
//!
//! ffmpeg must be on `PATH` (`apt-get install -y ffmpeg`; the setup script installs it). Set
//! `FLICK_SKIP_FFMPEG_TESTS=1` to skip these tests where it cannot be installed.

use flick_player::manifest;
use flick_player::presentation::{
    ByteRange, MediaSegment, Presentation, Representation, SegmentIndex, TrackKind,
};
use flick_player::segment_index::segments_from_sidx;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

use flick_tests::fixtures::{CONTENT, SEGMENT, TempDir, VIDEO_BITRATES_KBPS, encode, ffmpeg_ready};

fn parse_file(mpd: &Path) -> Presentation {
    let bytes = std::fs::read(mpd).expect("read the MPD");
    let url = Url::from_file_path(mpd).expect("a file URL");
    manifest::parse(&bytes, &url)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", mpd.display(), String::from_utf8_lossy(&bytes)))
}

/// The file a segment reference of `rep` points to.
fn file_of(rep: &Representation, reference: &str) -> PathBuf {
    let base = &rep.base_urls.first().expect("at least one base URL").url;
    let url = base.join(reference).expect("a resolvable reference");
    url.to_file_path().expect("a local file")
}

fn close(a: Duration, b: Duration, tolerance: Duration) -> bool {
    a.abs_diff(b) <= tolerance
}

/// Checks shared by every layout: tracks, ladder, one period of the content's length.
fn check_presentation(p: &Presentation) {
    assert_eq!(p.periods.len(), 1);
    assert!(close(p.duration.expect("a duration"), CONTENT, Duration::from_millis(100)));
    assert_eq!(p.locations.len(), 1);
    assert_eq!(p.locations[0].id, "origin");
    let video = p.track(TrackKind::Video).expect("a video track");
    let bandwidths: Vec<u64> = video.representations.iter().map(|r| r.bandwidth.bps()).collect();
    assert_eq!(bandwidths.len(), VIDEO_BITRATES_KBPS.len(), "{bandwidths:?}");
    assert!(bandwidths.windows(2).all(|w| w[0] <= w[1]), "ladder not sorted: {bandwidths:?}");
    for rep in &video.representations {
        assert!(rep.codecs.as_deref().is_some_and(|c| c.starts_with("avc1")), "{:?}", rep.codecs);
        assert_eq!(rep.mime_type.as_deref(), Some("video/mp4"));
        assert!(rep.width.is_some() && rep.height.is_some());
    }
    assert_eq!(video.representations[0].width, Some(160));
    let audio = p.track(TrackKind::Audio).expect("an audio track");
    assert_eq!(audio.representations.len(), 1);
    assert!(audio.representations[0].codecs.as_deref().is_some_and(|c| c.starts_with("mp4a")));
}

/// Segments follow each other without gaps, last about `SEGMENT` each, and add up to the
/// content's length. Video has exactly three; AAC audio (1024-sample frames) may end with a
/// fourth, a few milliseconds long.
fn check_timing(segments: &[MediaSegment], video: bool, what: &str) {
    let counts = if video { 3..=3 } else { 3..=4 };
    assert!(counts.contains(&segments.len()), "{what}: {segments:#?}");
    assert_eq!(segments[0].start, Duration::ZERO, "{what}");
    for pair in segments.windows(2) {
        assert_eq!(pair[0].start + pair[0].duration, pair[1].start, "{what}: gap or overlap");
        assert_eq!(pair[1].number, pair[0].number + 1, "{what}");
    }
    let total: Duration = segments.iter().map(|s| s.duration).sum();
    assert!(close(total, CONTENT, Duration::from_millis(50)), "{what}: total {total:?}");
    let (last, others) = segments.split_last().unwrap();
    for segment in others {
        assert!(close(segment.duration, SEGMENT, Duration::from_millis(25)), "{what}: {segment:?}");
    }
    assert!(last.duration <= SEGMENT + Duration::from_millis(25), "{what}: {last:?}");
}

fn is_video(rep: &Representation) -> bool {
    rep.mime_type.as_deref().is_some_and(|m| m.starts_with("video/"))
}

fn all_representations(p: &Presentation) -> impl Iterator<Item = &Representation> {
    p.periods.iter().flat_map(|p| &p.tracks).flat_map(|t| &t.representations)
}

/// Every listed segment and init segment of a templated layout is a file on disk.
fn check_templated(p: &Presentation) {
    for rep in all_representations(p) {
        let SegmentIndex::Listed { init, segments } = &rep.segments else {
            panic!("{}: expected listed segments, got {:?}", rep.id, rep.segments);
        };
        let init = init.as_ref().expect("an init segment");
        assert!(file_of(rep, &init.url).is_file(), "{}: no init {}", rep.id, init.url);
        let segments: Vec<_> = segments.iter().collect();
        check_timing(&segments, is_video(rep), &rep.id);
        for segment in &segments {
            let path = file_of(rep, &segment.location.url);
            assert!(path.is_file(), "{}: {} is not on disk", rep.id, path.display());
            assert_eq!(segment.location.range, None);
        }
    }
}

#[test]
fn template_with_number() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("number");
    let mpd = encode(&dir.0, &["-use_template", "1", "-use_timeline", "0"]);
    assert!(std::fs::read_to_string(&mpd).unwrap().contains("$Number"));
    let p = parse_file(&mpd);
    check_presentation(&p);
    check_templated(&p);
}

#[test]
fn template_with_timeline() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("timeline");
    let mpd = encode(&dir.0, &["-use_template", "1", "-use_timeline", "1"]);
    assert!(std::fs::read_to_string(&mpd).unwrap().contains("<SegmentTimeline>"));
    let p = parse_file(&mpd);
    check_presentation(&p);
    check_templated(&p);
}

/// Top-level boxes of an MP4 file: (type, offset, size).
fn boxes(bytes: &[u8]) -> Vec<([u8; 4], u64, u64)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = bytes[at + 4..at + 8].try_into().unwrap();
        assert!(size >= 8, "unexpected box size {size} at {at}");
        out.push((kind, at as u64, size as u64));
        at += size;
    }
    assert_eq!(at, bytes.len(), "boxes do not tile the file");
    out
}

/// `-single_file 1`: one MP4 per representation. Debian's ffmpeg (5.1) describes it with a
/// SegmentList of byte ranges; with `-global_sidx 1` the file also starts with a `sidx`
/// indexing every fragment. The test checks the SegmentList as written, then rewrites each
/// representation's addressing as the equivalent SegmentBase (`indexRange` = that `sidx`) and
/// checks that the index parsed with `segments_from_sidx` gives the same segments.
#[test]
fn single_file_segment_list_and_sidx() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("single");
    let mpd = encode(
        &dir.0,
        &["-use_template", "0", "-use_timeline", "0", "-single_file", "1", "-global_sidx", "1"],
    );
    let listed = parse_file(&mpd);
    check_presentation(&listed);
    for rep in all_representations(&listed) {
        let SegmentIndex::Listed { init, segments } = &rep.segments else {
            panic!("{}: expected a SegmentList, got {:?}", rep.id, rep.segments);
        };
        let file = file_of(rep, "");
        let len = std::fs::metadata(&file).expect("the media file").len();
        let init_range = init.as_ref().and_then(|i| i.range).expect("an init byte range");
        assert_eq!(init_range.start, 0);
        let segments: Vec<_> = segments.iter().collect();
        check_timing(&segments, is_video(rep), &rep.id);
        let ranges: Vec<ByteRange> = segments.iter().map(|s| s.location.range.unwrap()).collect();
        assert_eq!(ranges[0].start, init_range.end + 1, "{}", rep.id);
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end + 1, pair[1].start, "{}", rep.id);
        }
        // ffmpeg may list one more SegmentURL for audio, nominally starting at the period's end
        // (@duration x 3 = 6 s); it lies outside the period, so the presentation leaves it out.
        if is_video(rep) {
            assert_eq!(ranges.last().unwrap().end, len - 1, "{}", rep.id);
        } else {
            assert!(ranges.last().unwrap().end < len, "{}", rep.id);
        }
    }

    // The same content as SegmentBase + sidx.
    let text = std::fs::read_to_string(&mpd).unwrap();
    let mut rewritten = String::new();
    let mut rest = text.as_str();
    while let Some(list_at) = rest.find("<SegmentList") {
        let (before, after) = rest.split_at(list_at);
        let name = before.rsplit_once("<BaseURL>").unwrap().1.split_once("</BaseURL>").unwrap().0;
        let media = std::fs::read(dir.0.join(name)).unwrap();
        let (_, sidx_at, sidx_size) =
            boxes(&media).into_iter().find(|(kind, ..)| kind == b"sidx").expect("a global sidx");
        rewritten.push_str(before);
        rewritten.push_str(&format!(
            r#"<SegmentBase indexRange="{}-{}"><Initialization range="0-{}"/></SegmentBase>"#,
            sidx_at,
            sidx_at + sidx_size - 1,
            sidx_at - 1
        ));
        let end = after.find("</SegmentList>").unwrap() + "</SegmentList>".len();
        rest = &after[end..];
    }
    rewritten.push_str(rest);
    let base_mpd = dir.0.join("segment-base.mpd");
    std::fs::write(&base_mpd, rewritten).unwrap();
    let indexed = parse_file(&base_mpd);
    check_presentation(&indexed);

    for (rep, listed_rep) in all_representations(&indexed).zip(all_representations(&listed)) {
        let SegmentIndex::Indexed { init, index, presentation_time_offset, .. } = &rep.segments else {
            panic!("{}: expected a SegmentBase index, got {:?}", rep.id, rep.segments);
        };
        let file = file_of(rep, &index.url);
        assert_eq!(file, file_of(listed_rep, ""));
        let media = std::fs::read(&file).unwrap();
        let range = index.range.expect("an index range");
        // ffmpeg's init range runs to the end of the sidx; ours stops just before it.
        let init_range = init.as_ref().and_then(|i| i.range).expect("an init range");
        let listed_init = listed_rep.segments.init().and_then(|i| i.range).unwrap();
        assert_eq!((init_range.start, init_range.end + 1), (0, range.start), "{}", rep.id);
        assert_eq!(listed_init.end, range.end, "{}", rep.id);
        let index_bytes = &media[range.start as usize..=range.end as usize];
        let segments = segments_from_sidx(index_bytes, range.start, &index.url, *presentation_time_offset)
            .unwrap_or_else(|e| panic!("{}: {e}", rep.id));
        check_timing(&segments, is_video(rep), &rep.id);
        // Byte ranges tile the file from the end of the sidx to its last byte.
        let ranges: Vec<ByteRange> = segments.iter().map(|s| s.location.range.unwrap()).collect();
        assert_eq!(ranges[0].start, range.end + 1, "{}", rep.id);
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end + 1, pair[1].start, "{}", rep.id);
        }
        assert_eq!(ranges.last().unwrap().end, media.len() as u64 - 1, "{}", rep.id);
        for segment in &segments {
            let size = segment.size.expect("a size").get();
            assert_eq!(size, segment.location.range.unwrap().len());
            // Each subsegment starts with a moof.
            let start = segment.location.range.unwrap().start as usize;
            assert_eq!(&media[start + 4..start + 8], b"moof", "{}", rep.id);
        }
        // The sidx agrees with ffmpeg's own SegmentList (which may stop one short, see above).
        let listed_ranges: Vec<_> =
            listed_rep.segments.segments().unwrap().iter().map(|s| s.location.range.unwrap()).collect();
        assert!(ranges.starts_with(&listed_ranges), "{}: {ranges:?} vs {listed_ranges:?}", rep.id);
        assert!(ranges.len() - listed_ranges.len() <= usize::from(!is_video(rep)), "{}", rep.id);
    }
}
