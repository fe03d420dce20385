//! The SegmentBase fixture (`fixtures::encode_segment_base`): ffmpeg's fragmented MP4 files with a
//! `sidx`, and an MPD written from their box headers. The core reads that MPD as indexed
//! representations, the `sidx` bytes it names list every fragment of the file, and the simulator's
//! DASH-folder loader takes the same segments from disk.

use flick_platform::sim::Ladder;
use flick_player::presentation::{SegmentIndex, TrackKind};
use flick_player::segment_index::segments_from_sidx;
use flick_tests::fixtures::{TempDir, encode_segment_base, ffmpeg_ready, top_level_boxes};
use std::time::Duration;

const LENGTH: Duration = Duration::from_secs(12);
const KBPS: [u64; 3] = [400, 1200, 2500];

#[test]
fn the_box_walker_reads_sizes_large_sizes_and_a_box_to_the_end() {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&[0, 0, 0, 12]);
    bytes.extend_from_slice(b"ftyp");
    bytes.extend_from_slice(b"isom");
    bytes.extend_from_slice(&[0, 0, 0, 1]);
    bytes.extend_from_slice(b"mdat");
    bytes.extend_from_slice(&20u64.to_be_bytes());
    bytes.extend_from_slice(&[7; 4]);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes.extend_from_slice(b"free");
    bytes.extend_from_slice(&[0; 5]);
    let boxes = top_level_boxes(&bytes).unwrap();
    let layout: Vec<(String, u64, u64)> = boxes.iter().map(|b| (b.name(), b.start, b.end())).collect();
    assert_eq!(layout, [("ftyp".into(), 0, 11), ("mdat".into(), 12, 31), ("free".into(), 32, 44)]);
    // A size running past the end, or a header cut short, is an error.
    assert!(top_level_boxes(&bytes[..30]).is_err());
    assert!(top_level_boxes(&bytes[..16]).is_err());
}

#[test]
fn the_segment_base_fixture_is_an_indexed_stream_the_core_and_the_simulator_read() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("segbase-fixture");
    let stream = encode_segment_base(&dir.0, LENGTH, &KBPS);
    let segments = (LENGTH.as_secs() / 2) as usize;
    let mpd = std::fs::read(&stream.mpd).unwrap();
    eprintln!("{}", String::from_utf8_lossy(&mpd));
    let url = url::Url::from_file_path(std::fs::canonicalize(&stream.mpd).unwrap()).unwrap();
    let presentation = flick_player::manifest::parse(&mpd, &url).expect("the MPD parses");
    assert_eq!(presentation.duration, Some(LENGTH));
    let video = presentation.track(TrackKind::Video).expect("a video track");
    assert_eq!(video.representations.len(), KBPS.len());
    for (rep, rung) in video.representations.iter().zip(&stream.rungs) {
        let layout: Vec<String> = rung.boxes.iter().map(|b| b.name()).collect();
        eprintln!(
            "{}: {} bytes, codecs {}, init 0-{}, sidx {}-{}, timescale {}, boxes {layout:?}",
            rung.file,
            rung.boxes.last().unwrap().end() + 1,
            rung.codecs,
            rung.init_end,
            rung.index.0,
            rung.index.1,
            rung.timescale
        );
        assert_eq!(rep.bandwidth.0, rung.kbps * 1000);
        assert!(rep.codecs.as_deref().is_some_and(|c| c.starts_with("avc1.")), "{:?}", rep.codecs);
        assert!(rep.base_urls[0].url.path().ends_with(&rung.file), "{}", rep.base_urls[0].url);
        let SegmentIndex::Indexed { init, index, .. } = &rep.segments else {
            panic!("{}: not indexed: {:?}", rung.file, rep.segments)
        };
        let init = init.as_ref().and_then(|i| i.range).expect("an initialization range");
        assert_eq!((init.start, init.end), (0, rung.init_end));
        let index_range = index.range.expect("an index range");
        assert_eq!((index_range.start, index_range.end), rung.index);
        // The init range is exactly ftyp + moov, and the sidx follows it.
        assert_eq!(rung.boxes[1].end(), rung.init_end);
        assert_eq!(rung.index.0, rung.init_end + 1);

        let bytes = std::fs::read(dir.0.join(&rung.file)).unwrap();
        let sidx = &bytes[rung.index.0 as usize..=rung.index.1 as usize];
        let listed = segments_from_sidx(sidx, rung.index.0, &rung.file, 0).expect("the sidx reads");
        let fragments = rung.fragments();
        assert_eq!(listed.len(), segments, "{}", rung.file);
        assert_eq!(fragments.len(), segments, "{}", rung.file);
        for (k, (segment, fragment)) in listed.iter().zip(&fragments).enumerate() {
            let range = segment.location.range.expect("a byte range");
            assert_eq!((range.start, range.end), *fragment, "{} segment {k}", rung.file);
            assert_eq!(segment.start, Duration::from_secs(2 * k as u64), "{} segment {k}", rung.file);
            assert_eq!(segment.duration, Duration::from_secs(2), "{} segment {k}", rung.file);
            assert_eq!(segment.location.url, rung.file);
        }
    }
    // The simulator's loader reads the same sidx from disk: the sizes are the fragments'.
    let ladder = Ladder::load(&dir.0).expect("the simulator loads the folder");
    assert_eq!(ladder.segments, segments);
    assert_eq!(ladder.segment_duration, Duration::from_secs(2));
    assert_eq!(ladder.bitrates.len(), KBPS.len());
    for (rung, file) in stream.rungs.iter().enumerate() {
        let sizes: Vec<u64> = file.fragments().iter().map(|(a, b)| b - a + 1).collect();
        let loaded: Vec<u64> = ladder.sizes.iter().map(|s| s[rung]).collect();
        assert_eq!(loaded, sizes, "{}", file.file);
    }
}
