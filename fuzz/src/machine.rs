//! The `state_machine` target: fuzz bytes decoded into a session's worth of inputs and time steps.
//!
//! The first byte chooses the configuration and ABR algorithm; then each op starts with a byte
//! choosing its kind ([`decode`]). Requests are named by position among the open ones, or are
//! strays (ids never fetched, or already answered or cancelled), so the fuzzer reaches answers to
//! real requests without guessing ids.

use crate::content::{self, Body, Content, MPD_URLS};
use crate::harness::{Answer, Harness};
use crate::reader::Reader;
use flick_player::presentation::TrackKind;
use flick_player::{Chunk, FetchError, Input, PlayerConfig, RequestId};
use std::time::Duration;

/// One step of a session.
#[derive(Clone, Debug)]
pub enum Op {
    /// `Load` a URL: one of the built-in MPDs, or one the network does not have, or not a URL.
    Load(String),
    /// `LoadPresentation` of a built-in presentation with this many segments (steered when odd).
    LoadPresentation(usize),
    /// `Play`.
    Play,
    /// `Pause`.
    Pause,
    /// `Seek` (positions up to `Duration::MAX`).
    Seek(Duration),
    /// `SetQuality` (rungs far out of range too).
    SetQuality(Option<usize>),
    /// Let time pass, then `handle_timeout`.
    Advance(Duration),
    /// `handle_timeout` at the player's wake-up time.
    Wake,
    /// Rounds of "answer every open request rightly, then wake".
    Run(usize),
    /// Answer the open request at this position (modulo their number).
    Respond(usize, Response),
    /// Answer a request id that is not open.
    Stray(Stray, Response),
    /// The decoder's position.
    Playback(Duration),
    /// The decoder's buffered ranges of a track.
    Buffered(TrackKind, Vec<(Duration, Duration)>),
    /// The decoder's frame counters.
    DecoderFrames(u64, u64),
    /// `SelectTrack`.
    SelectTrack(TrackKind, usize),
    /// `GoLive`.
    GoLive,
    /// `WallClock`.
    WallClock(Duration),
    /// `ServerDate` for the open request picked by the number.
    ServerDate(usize, String),
}

/// How a request is answered.
#[derive(Clone, Debug)]
pub enum Response {
    /// Rightly and completely.
    Serve,
    /// The response starts, announcing this length (or none).
    Started(Option<u64>),
    /// The right body, or its first part (this many 256ths of it).
    RightBody(u8),
    /// This many bytes, counted.
    Counted(u64),
    /// These bytes.
    Bytes(Vec<u8>),
    /// The body ends.
    Complete,
    /// The request fails.
    Failed(FetchError),
}

/// Which id a stray answer names.
#[derive(Clone, Copy, Debug)]
pub enum Stray {
    /// One never fetched (probably).
    Raw(u64),
    /// One fetched before (answered, cancelled or open), by position among them.
    Fetched(usize),
}

/// The configuration and algorithm the first byte chooses.
pub fn config(byte: u8) -> (PlayerConfig, &'static str) {
    let names = flick_abr::names();
    let abr = names[usize::from(byte >> 4) % names.len()];
    let config = PlayerConfig {
        decoder_reports: (byte & 1 != 0).then_some(flick_player::DECODER_REPORTS),
        request_timeouts: if byte & 2 != 0 { None } else { PlayerConfig::default().request_timeouts },
        autoplay: byte & 4 == 0,
        cmcd: (byte & 8 != 0).then(flick_player::cmcd::CmcdConfig::default),
        ..PlayerConfig::default()
    };
    (config, abr)
}

/// The next op, or `None` at the end of the input.
pub fn decode(r: &mut Reader<'_>) -> Option<Op> {
    if r.is_empty() {
        return None;
    }
    let op = match r.u8() % 20 {
        0 => Op::Load(match r.u8() % 8 {
            0..=4 => MPD_URLS[r.choose(MPD_URLS.len())].to_string(),
            5 => "http://a.example/vod/missing.mpd".to_string(),
            6 => String::from_utf8_lossy(r.bytes(64)).into_owned(),
            _ => "not a url".to_string(),
        }),
        1 => Op::LoadPresentation(r.choose(6)),
        2 => Op::Play,
        3 => Op::Pause,
        4 => Op::Seek(r.position(true)),
        5 => Op::SetQuality(match r.u8() % 4 {
            0 => None,
            1 | 2 => Some(usize::from(r.u8() % 4)),
            _ => Some(r.count() as usize),
        }),
        6 | 7 => Op::Advance(r.step()),
        8 | 9 => Op::Wake,
        10 | 11 => Op::Run(usize::from(r.u8() % 16) + 1),
        12..=14 => Op::Respond(usize::from(r.u8()), response(r)),
        15 => Op::Stray(
            if r.u8().is_multiple_of(2) {
                Stray::Raw(r.count())
            } else {
                Stray::Fetched(usize::from(r.u8()))
            },
            response(r),
        ),
        16 => Op::Playback(r.position(false)),
        17 => Op::Buffered(
            track_kind(r),
            (0..r.u8() % 4).map(|_| (r.position(false), r.position(false))).collect(),
        ),
        18 => Op::DecoderFrames(u64::from(r.u32()), u64::from(r.u32())),
        _ => match r.u8() % 4 {
            0 | 1 => Op::SelectTrack(track_kind(r), r.count() as usize),
            2 => Op::GoLive,
            _ => match r.u8() % 3 {
                // The device's clock, near the live stream's time or anywhere.
                0 => Op::WallClock(Duration::from_secs(1_796_083_200 + u64::from(r.u16()))),
                1 => Op::WallClock(Duration::from_secs(u64::from(r.u32()))),
                _ => Op::ServerDate(
                    usize::from(r.u8()),
                    match r.u8() % 2 {
                        0 => "Tue, 01 Dec 2026 00:01:40 GMT".to_string(),
                        _ => String::from_utf8_lossy(r.bytes(40)).into_owned(),
                    },
                ),
            },
        },
    };
    Some(op)
}

fn track_kind(r: &mut Reader<'_>) -> TrackKind {
    [TrackKind::Video, TrackKind::Audio, TrackKind::Text][r.choose(3)]
}

fn response(r: &mut Reader<'_>) -> Response {
    match r.u8() % 10 {
        0 | 1 => Response::Serve,
        2 => Response::Started(match r.u8() % 3 {
            0 => None,
            _ => Some(r.count()),
        }),
        3 | 4 => Response::RightBody(r.u8()),
        // A driver counts what arrived: never more than memory holds. (An announced length, above,
        // comes from a server and can be anything.)
        5 => Response::Counted(u64::from(r.u32())),
        6 => Response::Bytes(r.bytes(255).to_vec()),
        7 => Response::Complete,
        _ => Response::Failed(match r.u8() % 7 {
            0 => FetchError::Http(r.u16() % 1000),
            1 => FetchError::Timeout,
            2 => FetchError::Reset,
            3 => FetchError::Stalled,
            4 => FetchError::Truncated,
            5 => FetchError::Transport(String::from_utf8_lossy(r.bytes(16)).into_owned()),
            _ => FetchError::Http(503),
        }),
    }
}

/// Every op of `data`, in order.
pub fn decode_all(data: &[u8]) -> (PlayerConfig, &'static str, Vec<Op>) {
    let mut r = Reader::new(data);
    let (config, abr) = config(r.u8());
    let ops = std::iter::from_fn(|| decode(&mut r)).collect();
    (config, abr, ops)
}

/// Play `data`'s ops on a checked player.
pub fn run(data: &[u8]) {
    let (config, abr, ops) = decode_all(data);
    let mut h = Harness::new(config, abr, Content::standard());
    for op in ops {
        apply(&mut h, op);
    }
}

/// Apply one op.
pub fn apply(h: &mut Harness, op: Op) {
    match op {
        Op::Load(url) => h.input(Input::Load { url }),
        Op::LoadPresentation(n) => h.load_presentation(if n % 2 == 1 {
            content::steered_presentation()
        } else {
            content::small_presentation(n + 1)
        }),
        Op::Play => h.input(Input::Play),
        Op::Pause => h.input(Input::Pause),
        Op::Seek(position) => h.input(Input::Seek { position }),
        Op::SetQuality(rung) => h.input(Input::SetQuality { rung }),
        Op::Advance(step) => h.advance(step),
        Op::Wake => {
            h.wake();
        }
        Op::Run(rounds) => h.run(rounds),
        Op::Respond(pick, response) => {
            let open = h.open_requests();
            if open.is_empty() {
                return;
            }
            let id = open[pick % open.len()];
            respond(h, id, response);
        }
        Op::Stray(stray, response) => {
            let id = match stray {
                Stray::Raw(raw) => RequestId(raw),
                Stray::Fetched(pick) => {
                    let mut fetched = h.fetched_ids();
                    fetched.sort();
                    match fetched.get(pick % fetched.len().max(1)) {
                        Some(&id) => id,
                        None => RequestId(pick as u64),
                    }
                }
            };
            respond(h, id, response);
        }
        Op::Playback(position) => h.input(Input::Playback { position }),
        Op::Buffered(track, ranges) => h.input(Input::Buffered { track, ranges }),
        Op::DecoderFrames(decoded, dropped) => h.input(Input::DecoderFrames { decoded, dropped }),
        Op::SelectTrack(kind, index) => h.input(Input::SelectTrack { kind, index }),
        Op::GoLive => h.input(Input::GoLive),
        Op::WallClock(unix) => h.input(Input::WallClock { unix }),
        Op::ServerDate(pick, date) => {
            let open = h.open_requests();
            if let Some(&id) = open.get(pick % open.len().max(1)) {
                h.input(Input::ServerDate { id, date });
            }
        }
    }
}

fn respond(h: &mut Harness, id: RequestId, response: Response) {
    let answer = match response {
        Response::Serve => {
            if h.open_requests().contains(&id) {
                h.serve(id);
            } else {
                h.answer(id, Answer::Complete);
            }
            return;
        }
        Response::Started(length) => Answer::Started(length),
        Response::RightBody(part) => Answer::Data(match h.body(id) {
            Body::Bytes(mut bytes) => {
                if part != u8::MAX {
                    bytes.truncate(bytes.len() * usize::from(part) / 256);
                }
                Chunk::Bytes(bytes.into())
            }
            Body::Counted(len) if part == u8::MAX => Chunk::Counted(len),
            Body::Counted(len) => Chunk::Counted(len * u64::from(part) / 256),
            Body::Missing => Chunk::Counted(0),
        }),
        Response::Counted(len) => Answer::Data(Chunk::Counted(len)),
        Response::Bytes(bytes) => Answer::Data(Chunk::Bytes(bytes.into())),
        Response::Complete => Answer::Complete,
        Response::Failed(error) => Answer::Failed(error),
    };
    h.answer(id, answer);
}
