//! Shared fixtures of Flick's end-to-end tests (which live in `tests/tests/`): DASH content
//! generated with ffmpeg into temporary directories.

pub mod fixtures {
    //! Test content made with Debian's ffmpeg.

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
