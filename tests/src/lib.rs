//! Shared fixtures of Flick's end-to-end tests (which live in `tests/tests/`): DASH content
//! generated with ffmpeg into temporary directories.

pub mod fixtures {
    //! Test content made with Debian's ffmpeg.

    mod live;
    pub use live::{FfmpegLive, LiveOptions};

    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Duration;

    /// Length of the generated clip.
    pub const CONTENT: Duration = Duration::from_secs(6);
    /// Segment duration asked of the muxer.
    pub const SEGMENT: Duration = Duration::from_secs(2);
    /// Video rungs of the generated ladder.
    pub const VIDEO_BITRATES_KBPS: [u64; 3] = [150, 300, 600];

    /// A directory under the system temp dir, removed when dropped.
    pub struct TempDir(pub PathBuf);

    impl TempDir {
        /// A fresh empty directory whose name starts with `name`.
        pub fn new(name: &str) -> TempDir {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let path =
                std::env::temp_dir().join(format!("flick-ffmpeg-{name}-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&path).expect("create the temp dir");
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Whether to run: ffmpeg is there, or the tests are explicitly skipped.
    pub fn ffmpeg_ready() -> bool {
        if std::env::var_os("FLICK_SKIP_FFMPEG_TESTS").is_some() {
            eprintln!("FLICK_SKIP_FFMPEG_TESTS is set: skipping");
            return false;
        }
        match Command::new("ffmpeg").arg("-version").output() {
            Ok(out) if out.status.success() => true,
            _ => panic!(
                "ffmpeg is not installed (apt-get install -y ffmpeg); \
                 set FLICK_SKIP_FFMPEG_TESTS=1 to skip these tests"
            ),
        }
    }

    /// Encode the test clip as DASH into `dir` with the muxer options `dash_args`; returns the
    /// MPD's path.
    pub fn encode(dir: &Path, dash_args: &[&str]) -> PathBuf {
        encode_clip(dir, CONTENT, &VIDEO_BITRATES_KBPS, dash_args)
    }

    /// Encode a clip of `length` with one video rung per entry of `video_kbps` (the first at
    /// 160x90, the others at 320x180) and AAC audio as DASH into `dir`, with the muxer options
    /// `dash_args`; returns the MPD's path.
    pub fn encode_clip(dir: &Path, length: Duration, video_kbps: &[u64], dash_args: &[&str]) -> PathBuf {
        let mpd = dir.join("manifest.mpd");
        let secs = length.as_secs().to_string();
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-hide_banner", "-loglevel", "error", "-y"])
            .args(["-f", "lavfi", "-i", &format!("testsrc2=size=320x180:rate=25:duration={secs}")])
            .args(["-f", "lavfi", "-i", &format!("sine=frequency=440:sample_rate=48000:duration={secs}")]);
        for _ in video_kbps {
            cmd.args(["-map", "0:v"]);
        }
        cmd.args(["-map", "1:a"])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])
            .args(["-g", "25", "-keyint_min", "25", "-sc_threshold", "0"])
            .args(["-s:v:0", "160x90"]);
        for (i, kbps) in video_kbps.iter().enumerate() {
            cmd.arg(format!("-b:v:{i}")).arg(format!("{kbps}k"));
            cmd.arg(format!("-maxrate:v:{i}")).arg(format!("{kbps}k"));
            cmd.arg(format!("-bufsize:v:{i}")).arg(format!("{}k", kbps * 2));
        }
        cmd.args(["-c:a", "aac", "-b:a", "64k"])
            .args(["-f", "dash", "-seg_duration", &SEGMENT.as_secs().to_string()])
            .args(["-adaptation_sets", "id=0,streams=v id=1,streams=a"])
            .args(dash_args)
            .arg(&mpd);
        let out = cmd.output().expect("run ffmpeg");
        assert!(
            out.status.success(),
            "ffmpeg failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        mpd
    }

    /// A top-level box of an ISO BMFF (MP4) file.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Mp4Box {
        /// Four-character type (`ftyp`, `moov`, `sidx`, `moof`, ...).
        pub kind: [u8; 4],
        /// Offset of its first byte (its header's) in the file.
        pub start: u64,
        /// Its whole size, header included.
        pub size: u64,
    }

    impl Mp4Box {
        /// Offset of its last byte.
        pub fn end(&self) -> u64 {
            self.start + self.size - 1
        }

        /// Its type as text.
        pub fn name(&self) -> String {
            String::from_utf8_lossy(&self.kind).into_owned()
        }
    }

    /// The top-level boxes of `bytes`, read from their headers (a 4-byte size, a 4-byte type; a
    /// size of 1 means a 64-bit size follows the type, 0 that the box runs to the end of the
    /// file). Errors on a header that is cut short or a size that does not fit.
    pub fn top_level_boxes(bytes: &[u8]) -> Result<Vec<Mp4Box>, String> {
        let mut boxes = Vec::new();
        let mut at = 0usize;
        while at < bytes.len() {
            let rest = &bytes[at..];
            if rest.len() < 8 {
                return Err(format!("{} stray bytes at {at}", rest.len()));
            }
            let size32 = u32::from_be_bytes(rest[0..4].try_into().unwrap());
            let kind: [u8; 4] = rest[4..8].try_into().unwrap();
            let (size, header) = match size32 {
                0 => (rest.len() as u64, 8),
                1 => {
                    let large = rest.get(8..16).ok_or_else(|| format!("64-bit size cut short at {at}"))?;
                    (u64::from_be_bytes(large.try_into().unwrap()), 16)
                }
                n => (u64::from(n), 8),
            };
            if size < header || size > rest.len() as u64 {
                return Err(format!(
                    "box {:?} at {at} has size {size} ({} bytes left)",
                    String::from_utf8_lossy(&kind),
                    rest.len()
                ));
            }
            boxes.push(Mp4Box { kind, start: at as u64, size });
            at += size as usize;
        }
        Ok(boxes)
    }

    /// One rung of a SegmentBase stream: a fragmented MP4 file with a `sidx`, and where its
    /// parts are.
    #[derive(Clone, Debug)]
    pub struct SegmentBaseRung {
        /// File name in the folder (the representation's BaseURL).
        pub file: String,
        /// Nominal bit rate (the MPD's `bandwidth`, in kbit/s).
        pub kbps: u64,
        /// `codecs`, from the file's `avcC`.
        pub codecs: String,
        /// Width and height.
        pub size: (u32, u32),
        /// Its top-level boxes, in order.
        pub boxes: Vec<Mp4Box>,
        /// Bytes `0..=init_end` are `ftyp` + `moov` (the initialization segment).
        pub init_end: u64,
        /// First and last byte of the `sidx` box (the MPD's `indexRange`).
        pub index: (u64, u64),
        /// The `sidx`'s timescale (the track's).
        pub timescale: u32,
    }

    impl SegmentBaseRung {
        /// The fragments (`moof` + `mdat`) as inclusive byte ranges: the media segments.
        pub fn fragments(&self) -> Vec<(u64, u64)> {
            self.boxes
                .windows(2)
                .filter(|w| &w[0].kind == b"moof" && &w[1].kind == b"mdat")
                .map(|w| (w[0].start, w[1].end()))
                .collect()
        }
    }

    /// A SegmentBase stream written by [`encode_segment_base`].
    #[derive(Clone, Debug)]
    pub struct SegmentBaseStream {
        /// The MPD's path.
        pub mpd: PathBuf,
        /// One file per rung, lowest first.
        pub rungs: Vec<SegmentBaseRung>,
    }

    /// Encode a video-only clip of `length` (whole seconds) as an on-demand (SegmentBase) DASH
    /// stream into `dir`: per entry of `video_kbps` (the first at 160x90, the others at 320x180,
    /// 25 fps, 2 s GOPs) one fragmented MP4 file written by ffmpeg's mp4 muxer with
    /// `-movflags frag_keyframe+empty_moov+default_base_moof+global_sidx`, which lays out
    /// `ftyp moov sidx (moof mdat)… mfra` with one fragment per GOP. The box headers give the
    /// initialization range (`ftyp`+`moov`) and the `sidx` range, and `manifest.mpd` lists one
    /// representation per file with `<BaseURL>` and
    /// `<SegmentBase indexRange="…"><Initialization range="0-…"/></SegmentBase>`.
    pub fn encode_segment_base(dir: &Path, length: Duration, video_kbps: &[u64]) -> SegmentBaseStream {
        let secs = length.as_secs();
        let gop = (25 * SEGMENT.as_secs()).to_string();
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-hide_banner", "-loglevel", "error", "-y"]).args([
            "-f",
            "lavfi",
            "-i",
            &format!("testsrc2=size=320x180:rate=25:duration={secs}"),
        ]);
        let mut rungs = Vec::new();
        for (i, &kbps) in video_kbps.iter().enumerate() {
            let size = if i == 0 { (160, 90) } else { (320, 180) };
            let file = format!("video-{kbps}k.mp4");
            cmd.args(["-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])
                .args(["-g", &gop, "-keyint_min", &gop, "-sc_threshold", "0"])
                .args(["-s", &format!("{}x{}", size.0, size.1)])
                .args(["-b:v", &format!("{kbps}k"), "-maxrate", &format!("{kbps}k")])
                .args(["-bufsize", &format!("{}k", kbps * 2)])
                .args(["-movflags", "frag_keyframe+empty_moov+default_base_moof+global_sidx"])
                .args(["-f", "mp4"])
                .arg(dir.join(&file));
            rungs.push((file, kbps, size));
        }
        let out = cmd.output().expect("run ffmpeg");
        assert!(
            out.status.success(),
            "ffmpeg failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let rungs: Vec<SegmentBaseRung> =
            rungs.into_iter().map(|(file, kbps, size)| describe(dir, file, kbps, size)).collect();
        let mut mpd = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" minBufferTime="PT2S" mediaPresentationDuration="PT{secs}S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" subsegmentAlignment="true" subsegmentStartsWithSAP="1">
"#
        );
        for (i, rung) in rungs.iter().enumerate() {
            mpd.push_str(&format!(
                r#"      <Representation id="{i}" bandwidth="{}" codecs="{}" width="{}" height="{}" frameRate="25">
        <BaseURL>{}</BaseURL>
        <SegmentBase timescale="{}" indexRange="{}-{}"><Initialization range="0-{}"/></SegmentBase>
      </Representation>
"#,
                rung.kbps * 1000,
                rung.codecs,
                rung.size.0,
                rung.size.1,
                rung.file,
                rung.timescale,
                rung.index.0,
                rung.index.1,
                rung.init_end,
            ));
        }
        mpd.push_str("    </AdaptationSet>\n  </Period>\n</MPD>\n");
        let path = dir.join("manifest.mpd");
        std::fs::write(&path, mpd).expect("write the MPD");
        SegmentBaseStream { mpd: path, rungs }
    }

    /// Where the parts of the fragmented MP4 `dir/file` are; panics unless it is laid out
    /// `ftyp moov sidx moof…`.
    fn describe(dir: &Path, file: String, kbps: u64, size: (u32, u32)) -> SegmentBaseRung {
        let bytes = std::fs::read(dir.join(&file)).expect("read ffmpeg's output");
        let boxes = top_level_boxes(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let kinds: Vec<String> = boxes.iter().map(Mp4Box::name).collect();
        assert!(
            kinds.len() > 4 && kinds[..4] == ["ftyp", "moov", "sidx", "moof"],
            "{file}: unexpected layout {kinds:?}"
        );
        assert_eq!(kinds.iter().filter(|k| *k == "sidx").count(), 1, "{file}: {kinds:?}");
        let moov = &boxes[1];
        let sidx = &boxes[2];
        let moov_bytes = &bytes[moov.start as usize..=moov.end() as usize];
        let avcc = moov_bytes
            .windows(4)
            .position(|w| w == b"avcC")
            .unwrap_or_else(|| panic!("{file}: no avcC in the moov"));
        let profile = &moov_bytes[avcc + 5..avcc + 8];
        let codecs = format!("avc1.{:02x}{:02x}{:02x}", profile[0], profile[1], profile[2]);
        // After the header (16 bytes with a 64-bit size): version (1), flags (3),
        // reference_ID (4), timescale (4).
        let header = if bytes[sidx.start as usize..][..4] == [0, 0, 0, 1] { 16 } else { 8 };
        let at = sidx.start as usize + header + 8;
        let timescale = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        SegmentBaseRung {
            file,
            kbps,
            codecs,
            size,
            init_end: moov.end(),
            index: (sidx.start, sidx.end()),
            timescale,
            boxes,
        }
    }
}

pub mod media {
    //! Richer test content for the media pipeline and the window: a ladder of distinct
    //! resolutions, several audio languages, a moving picture.

    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Duration;

    /// One video rung: size and bit rate.
    #[derive(Clone, Copy, Debug)]
    pub struct VideoRung {
        /// Width in pixels.
        pub width: u32,
        /// Height in pixels.
        pub height: u32,
        /// Bit rate in kbit/s.
        pub kbps: u64,
    }

    /// What to encode.
    #[derive(Clone, Debug)]
    pub struct MediaSpec {
        /// Length of the clip.
        pub length: Duration,
        /// Frames per second.
        pub fps: u32,
        /// Video rungs, lowest first.
        pub rungs: Vec<VideoRung>,
        /// ISO 639-2 codes of the audio tracks (one adaptation set each, a different tone each).
        pub audio_languages: Vec<String>,
        /// Segment duration.
        pub segment: Duration,
        /// x264 preset (`ultrafast` for tests; `veryfast` for benchmark content).
        pub preset: String,
        /// Address segments with a `SegmentTimeline` (`$Time$`) rather than `$Number$`.
        pub timeline: bool,
    }

    impl MediaSpec {
        /// A short clip for pipeline tests: 160x90 and 320x180 rungs, English and French audio,
        /// 25 fps, 2 s segments.
        pub fn two_languages(length: Duration) -> MediaSpec {
            MediaSpec {
                length,
                fps: 25,
                rungs: vec![
                    VideoRung { width: 160, height: 90, kbps: 150 },
                    VideoRung { width: 320, height: 180, kbps: 400 },
                ],
                audio_languages: vec!["eng".into(), "fra".into()],
                segment: Duration::from_secs(2),
                preset: "ultrafast".into(),
                timeline: false,
            }
        }
    }

    /// Encode `spec` as DASH (SegmentTemplate with `$Number$`) into `dir` with Debian's ffmpeg;
    /// returns the MPD's path. The picture is `testsrc2` (moving, with a running clock).
    ///
    /// Panics when ffmpeg fails (a test fixture); [`try_encode_media`] returns the error.
    pub fn encode_media(dir: &Path, spec: &MediaSpec) -> PathBuf {
        try_encode_media(dir, spec).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`encode_media`], with ffmpeg's failure (or its absence) as an error.
    pub fn try_encode_media(dir: &Path, spec: &MediaSpec) -> Result<PathBuf, String> {
        let mpd = dir.join("manifest.mpd");
        let secs = spec.length.as_secs_f64().to_string();
        let largest = spec.rungs.iter().max_by_key(|r| r.width).expect("at least one rung");
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-hide_banner", "-loglevel", "error", "-y"]).args([
            "-f",
            "lavfi",
            "-i",
            &format!("testsrc2=size={}x{}:rate={}:duration={secs}", largest.width, largest.height, spec.fps),
        ]);
        for (i, _) in spec.audio_languages.iter().enumerate() {
            let tone = 440 + 220 * i;
            cmd.args([
                "-f",
                "lavfi",
                "-i",
                &format!("sine=frequency={tone}:sample_rate=48000:duration={secs}"),
            ]);
        }
        for _ in &spec.rungs {
            cmd.args(["-map", "0:v"]);
        }
        for (i, _) in spec.audio_languages.iter().enumerate() {
            cmd.args(["-map", &format!("{}:a", i + 1)]);
        }
        let gop = (spec.fps as f64 * spec.segment.as_secs_f64()).round() as u32;
        cmd.args(["-c:v", "libx264", "-preset", &spec.preset, "-pix_fmt", "yuv420p"]).args([
            "-g",
            &gop.to_string(),
            "-keyint_min",
            &gop.to_string(),
            "-sc_threshold",
            "0",
        ]);
        for (i, rung) in spec.rungs.iter().enumerate() {
            cmd.arg(format!("-s:v:{i}")).arg(format!("{}x{}", rung.width, rung.height));
            cmd.arg(format!("-b:v:{i}")).arg(format!("{}k", rung.kbps));
            cmd.arg(format!("-maxrate:v:{i}")).arg(format!("{}k", rung.kbps));
            cmd.arg(format!("-bufsize:v:{i}")).arg(format!("{}k", rung.kbps * 2));
        }
        for (i, language) in spec.audio_languages.iter().enumerate() {
            cmd.arg(format!("-metadata:s:a:{i}")).arg(format!("language={language}"));
        }
        let mut sets = "id=0,streams=v".to_string();
        for i in 0..spec.audio_languages.len() {
            sets.push_str(&format!(" id={},streams={}", i + 1, spec.rungs.len() + i));
        }
        cmd.args(["-c:a", "aac", "-b:a", "64k"])
            .args(["-f", "dash", "-seg_duration", &spec.segment.as_secs_f64().to_string()])
            .args(["-use_template", "1", "-use_timeline", if spec.timeline { "1" } else { "0" }])
            .args(["-adaptation_sets", &sets])
            .arg(&mpd);
        let out = cmd.output().map_err(|e| format!("running ffmpeg (apt-get install -y ffmpeg): {e}"))?;
        if !out.status.success() {
            return Err(format!("ffmpeg failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
        }
        Ok(mpd)
    }
}

pub mod evaluation {
    //! Runs over the repository's traces and ladders (`data/`), as the reference tests make them.

    use flick_abr::Abr;
    use flick_platform::sim::{
        AlgorithmSummary, BatchSpec, Ladder, Model, SessionSpec, SimContent, Trace, run_batch, run_session,
    };
    use flick_player::SessionReport;
    use std::path::PathBuf;
    use std::time::Duration;

    /// The repository's `data/` folder (traces and ladders, with their licences).
    pub fn data_dir() -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data");
        assert!(dir.is_dir(), "the data folder is missing at {}", dir.display());
        dir
    }

    /// Every algorithm of `algorithms` on every trace of `traces/<traces>`, with
    /// `ladders/<ladder>`, the model's player (`buffer` seconds of buffer if given) and its
    /// reference protocol for carrying ABR state.
    pub fn evaluate(
        model: Model,
        traces: &str,
        ladder: &str,
        buffer: Option<u64>,
        algorithms: &[&str],
    ) -> Vec<AlgorithmSummary> {
        let data = data_dir();
        let traces = Trace::load_all(&data.join("traces").join(traces)).expect("the repository traces load");
        let content = Ladder::load(&data.join("ladders").join(ladder))
            .expect("the repository ladder loads")
            .content(&["a"]);
        let algorithms: Vec<String> = algorithms.iter().map(|s| s.to_string()).collect();
        let spec = BatchSpec {
            traces: &traces,
            content: &content,
            algorithms: &algorithms,
            model,
            player: model.player_config(buffer.map(Duration::from_secs)),
            network: Default::default(),
            seed: 0,
            carry_abr_state: model.carries_abr_state(),
        };
        run_batch(&spec, &|| {}).expect("known algorithms")
    }

    /// One session of `abr` on `trace` in `model`, with the model's own player and network
    /// defaults (seed 1).
    pub fn one_session(
        trace: &Trace,
        content: &SimContent,
        model: Model,
        abr: Box<dyn Abr>,
    ) -> SessionReport {
        let spec = SessionSpec {
            trace,
            content,
            model,
            player: model.player_config(None),
            network: Default::default(),
            seed: 1,
        };
        run_session(&spec, abr).0
    }
}
