//! Segment indexes: `sidx` boxes (ISO/IEC 14496-12 8.16.3) to media segment lists.
//!
//! A SegmentBase representation names the byte range of its `sidx` box
//! ([`SegmentIndex::Indexed`](crate::presentation::SegmentIndex::Indexed)); once those bytes are
//! fetched, [`segments_from_sidx`] lists the media segments (subsegments) they describe, with
//! byte ranges, sizes, start times and durations. Byte offsets in a `sidx` count from the first
//! byte after the box, plus its `first_offset`.
//!
//! ```
//! use flick_player::segment_index::segments_from_sidx;
//! use mp4_atom::{Encode, SegmentReference, Sidx};
//!
//! let reference = |size| SegmentReference {
//!     reference_type: false,
//!     referenced_size: size,
//!     subsegment_duration: 2_000,
//!     starts_with_sap: true,
//!     sap_type: 1,
//!     sap_delta_time: 0,
//! };
//! let sidx = Sidx {
//!     reference_id: 1,
//!     timescale: 1_000,
//!     earliest_presentation_time: 0,
//!     first_offset: 0,
//!     references: vec![reference(500), reference(700)],
//! };
//! let mut bytes = Vec::new();
//! sidx.encode(&mut bytes).unwrap();
//! // The box sits at bytes 800.. of the media file.
//! let segments = segments_from_sidx(&bytes, 800, "", 0).unwrap();
//! let after_box = 800 + bytes.len() as u64;
//! assert_eq!(segments[0].location.range.unwrap().start, after_box);
//! assert_eq!(segments[1].location.range.unwrap().end, after_box + 1_199);
//! assert_eq!(segments[1].start.as_secs(), 2);
//! ```

use crate::manifest::ticks_to_duration;
use crate::presentation::{ByteRange, MediaSegment, SegmentRef};
use core::time::Duration;
use flick_abr::units::Bytes;
use mp4_atom::{Decode, Sidx};

/// Why a segment index could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexError {
    /// The bytes do not hold a usable `sidx` box (bad box header, bad `sidx` body).
    #[error("bad segment index: {0}")]
    Malformed(String),
    /// No `sidx` box among the top-level boxes of the bytes.
    #[error("no sidx box in the {len} index bytes")]
    NoSidx {
        /// How many bytes were searched.
        len: usize,
    },
    /// The `sidx` box runs past the end of the bytes (the index range was too short).
    #[error("the sidx box needs {needed} bytes but only {available} were given")]
    Truncated {
        /// Bytes the box says it needs (from its first byte).
        needed: u64,
        /// Bytes available from its first byte.
        available: u64,
    },
    /// The `sidx` has a zero timescale.
    #[error("the sidx timescale is zero")]
    ZeroTimescale,
    /// A reference points to another `sidx` (hierarchical index), which Flick does not follow.
    #[error("sidx reference {reference} points to another sidx (hierarchical index)")]
    Hierarchical {
        /// Index of the reference in the box.
        reference: usize,
    },
    /// A reference has a zero size.
    #[error("sidx reference {reference} has a zero size")]
    EmptyReference {
        /// Index of the reference in the box.
        reference: usize,
    },
    /// Offsets or times overflow 64 bits.
    #[error("sidx {0} overflows")]
    Overflow(&'static str),
    /// A reference lasts no time, or the references last less than
    /// [`crate::manifest::MIN_SEGMENT_DURATION`] on average (a timescale so fine that its ticks
    /// hold no time).
    #[error("sidx: {count} references last {ticks} ticks at timescale {timescale}: too short")]
    TooShort {
        /// References counted.
        count: usize,
        /// Their duration in ticks.
        ticks: u64,
        /// The box's timescale.
        timescale: u32,
    },
}

/// Media segments described by the `sidx` box in `bytes`, which were fetched from byte
/// `index_start` of `media_url`.
///
/// `presentation_time_offset` is in the `sidx`'s own timescale (the usual case: the MPD's
/// `SegmentBase@timescale` equals the track's); use [`segments_from_sidx_scaled`] when it is
/// not. Segment numbers count from 1; every segment refers to `media_url` with a byte range.
/// Boxes before the `sidx` (e.g. `styp`) are skipped.
pub fn segments_from_sidx(
    bytes: &[u8],
    index_start: u64,
    media_url: &str,
    presentation_time_offset: u64,
) -> Result<Vec<MediaSegment>, IndexError> {
    let (sidx, anchor) = find_sidx(bytes, index_start)?;
    let offset = ticks_to_duration(presentation_time_offset, u64::from(sidx.timescale));
    segments(&sidx, anchor, media_url, offset)
}

/// Like [`segments_from_sidx`], with `presentation_time_offset` in ticks of
/// `offset_timescale` (the MPD's `SegmentBase@timescale`), whatever the `sidx`'s timescale.
pub fn segments_from_sidx_scaled(
    bytes: &[u8],
    index_start: u64,
    media_url: &str,
    presentation_time_offset: u64,
    offset_timescale: u64,
) -> Result<Vec<MediaSegment>, IndexError> {
    if offset_timescale == 0 {
        return Err(IndexError::ZeroTimescale);
    }
    let (sidx, anchor) = find_sidx(bytes, index_start)?;
    let offset = ticks_to_duration(presentation_time_offset, offset_timescale);
    segments(&sidx, anchor, media_url, offset)
}

/// The first `sidx` box among the top-level boxes of `bytes`, and the file offset of the first
/// byte after it.
fn find_sidx(bytes: &[u8], index_start: u64) -> Result<(Sidx, u64), IndexError> {
    let mut at: usize = 0;
    while let Some(rest) = bytes.get(at..).filter(|r| r.len() >= 8) {
        let (kind, size) = box_header(rest)?;
        let available = rest.len() as u64;
        let size = size.unwrap_or(available);
        if kind != *b"sidx" {
            if size > available {
                break;
            }
            at = at.saturating_add(usize::try_from(size).unwrap_or(usize::MAX));
            continue;
        }
        if size > available {
            return Err(IndexError::Truncated { needed: size, available });
        }
        let body = rest.get(..usize::try_from(size).unwrap_or(usize::MAX)).unwrap_or_default();
        let mut body = body;
        let sidx = Sidx::decode(&mut body).map_err(|e| IndexError::Malformed(e.to_string()))?;
        let anchor = index_start
            .checked_add(at as u64)
            .and_then(|a| a.checked_add(size))
            .ok_or(IndexError::Overflow("box offset"))?;
        return Ok((sidx, anchor));
    }
    Err(IndexError::NoSidx { len: bytes.len() })
}

/// A box header at the start of `bytes` (at least 8 long): its type and the whole box's size
/// (`None`: to the end).
fn box_header(bytes: &[u8]) -> Result<([u8; 4], Option<u64>), IndexError> {
    let word = |range: core::ops::Range<usize>| bytes.get(range).unwrap_or_default();
    let size = u32::from_be_bytes(word(0..4).try_into().unwrap_or_default());
    let kind: [u8; 4] = word(4..8).try_into().unwrap_or_default();
    match size {
        0 => Ok((kind, None)),
        1 => {
            let large: [u8; 8] =
                word(8..16).try_into().map_err(|_| IndexError::Malformed("box header cut short".into()))?;
            let size = u64::from_be_bytes(large);
            if size < 16 {
                return Err(IndexError::Malformed(format!("box size {size} is below its header")));
            }
            Ok((kind, Some(size)))
        }
        2..=7 => Err(IndexError::Malformed(format!("box size {size} is below its header"))),
        size => Ok((kind, Some(u64::from(size)))),
    }
}

fn segments(
    sidx: &Sidx,
    anchor: u64,
    media_url: &str,
    offset: Duration,
) -> Result<Vec<MediaSegment>, IndexError> {
    let timescale = u64::from(sidx.timescale);
    if timescale == 0 {
        return Err(IndexError::ZeroTimescale);
    }
    let mut position = anchor.checked_add(sidx.first_offset).ok_or(IndexError::Overflow("first_offset"))?;
    let mut time = sidx.earliest_presentation_time;
    let count = sidx.references.len();
    let ticks: u64 = sidx.references.iter().map(|r| u64::from(r.subsegment_duration)).sum();
    let average = ticks_to_duration(ticks, timescale) / u32::try_from(count.max(1)).unwrap_or(u32::MAX);
    if count > 1 && average < crate::manifest::MIN_SEGMENT_DURATION {
        return Err(IndexError::TooShort { count, ticks, timescale: sidx.timescale });
    }
    let mut out = Vec::with_capacity(count);
    for (index, reference) in sidx.references.iter().enumerate() {
        if reference.reference_type {
            return Err(IndexError::Hierarchical { reference: index });
        }
        let size = u64::from(reference.referenced_size);
        if size == 0 {
            return Err(IndexError::EmptyReference { reference: index });
        }
        if reference.subsegment_duration == 0 {
            let ticks = 0;
            return Err(IndexError::TooShort { count: 1, ticks, timescale: sidx.timescale });
        }
        let end_time = time
            .checked_add(u64::from(reference.subsegment_duration))
            .ok_or(IndexError::Overflow("earliest_presentation_time + durations"))?;
        let last = position.checked_add(size - 1).ok_or(IndexError::Overflow("byte offset"))?;
        let start = ticks_to_duration(time, timescale).saturating_sub(offset);
        let end = ticks_to_duration(end_time, timescale).saturating_sub(offset);
        let range = ByteRange { start: position, end: last };
        position = last.checked_add(1).ok_or(IndexError::Overflow("byte offset"))?;
        time = end_time;
        if end.is_zero() {
            // Wholly before the presentation time offset: never played.
            continue;
        }
        out.push(MediaSegment {
            location: SegmentRef { url: media_url.to_string(), range: Some(range) },
            number: index as u64 + 1,
            start,
            duration: end.saturating_sub(start),
            size: Some(Bytes(size)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp4_atom::{Encode, SegmentReference};

    fn reference(size: u32, duration: u32) -> SegmentReference {
        SegmentReference {
            reference_type: false,
            referenced_size: size,
            subsegment_duration: duration,
            starts_with_sap: true,
            sap_type: 1,
            sap_delta_time: 0,
        }
    }

    fn encode(sidx: &Sidx) -> Vec<u8> {
        let mut bytes = Vec::new();
        sidx.encode(&mut bytes).unwrap();
        bytes
    }

    fn sample(first_offset: u64, ept: u64) -> Sidx {
        Sidx {
            reference_id: 1,
            timescale: 90_000,
            earliest_presentation_time: ept,
            first_offset,
            references: vec![reference(1_000, 180_000), reference(2_000, 180_000), reference(500, 90_000)],
        }
    }

    #[test]
    fn references_become_segments() {
        let bytes = encode(&sample(0, 0));
        let segments = segments_from_sidx(&bytes, 1_000, "video.mp4", 0).unwrap();
        let after = 1_000 + bytes.len() as u64;
        let ranges: Vec<_> = segments.iter().map(|s| s.location.range.unwrap()).collect();
        assert_eq!(
            ranges,
            [
                ByteRange { start: after, end: after + 999 },
                ByteRange { start: after + 1_000, end: after + 2_999 },
                ByteRange { start: after + 3_000, end: after + 3_499 },
            ]
        );
        assert_eq!(segments.iter().map(|s| s.number).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(segments[2].start, Duration::from_secs(4));
        assert_eq!(segments[2].duration, Duration::from_secs(1));
        assert_eq!(segments[1].size, Some(Bytes(2_000)));
        assert!(segments.iter().all(|s| s.location.url == "video.mp4"));
    }

    #[test]
    fn first_offset_pto_and_leading_boxes() {
        // A 16-byte `free` box before the sidx; first_offset skips 100 more bytes.
        let mut bytes = vec![0, 0, 0, 16, b'f', b'r', b'e', b'e'];
        bytes.extend([0; 8]);
        let sidx = encode(&sample(100, 180_000));
        bytes.extend(&sidx);
        let segments = segments_from_sidx(&bytes, 50, "", 90_000).unwrap();
        let first = 50 + 16 + sidx.len() as u64 + 100;
        assert_eq!(segments[0].location.range.unwrap().start, first);
        // earliest 2 s minus an offset of 1 s.
        assert_eq!(segments[0].start, Duration::from_secs(1));
        // The same offset given as 1000 ticks of a 1 kHz MPD timescale.
        let scaled = segments_from_sidx_scaled(&bytes, 50, "", 1_000, 1_000).unwrap();
        assert_eq!(scaled, segments);
    }

    #[test]
    fn large_size_header() {
        let small = encode(&sample(0, 0));
        // Re-encode the header as size=1 + 64-bit largesize.
        let mut bytes = vec![0, 0, 0, 1, b's', b'i', b'd', b'x'];
        bytes.extend((small.len() as u64 + 8).to_be_bytes());
        bytes.extend(&small[8..]);
        let segments = segments_from_sidx(&bytes, 0, "", 0).unwrap();
        assert_eq!(segments[0].location.range.unwrap().start, bytes.len() as u64);
    }

    #[test]
    fn hostile_indexes() {
        let good = encode(&sample(0, 0));
        assert_eq!(segments_from_sidx(&[], 0, "", 0), Err(IndexError::NoSidx { len: 0 }));
        assert!(matches!(
            segments_from_sidx(&good[..good.len() - 4], 0, "", 0),
            Err(IndexError::Truncated { .. })
        ));
        let mut hierarchical = sample(0, 0);
        hierarchical.references[1].reference_type = true;
        assert_eq!(
            segments_from_sidx(&encode(&hierarchical), 0, "", 0),
            Err(IndexError::Hierarchical { reference: 1 })
        );
        let mut zero = sample(0, 0);
        zero.timescale = 0;
        assert_eq!(segments_from_sidx(&encode(&zero), 0, "", 0), Err(IndexError::ZeroTimescale));
        let mut empty = sample(0, 0);
        empty.references[0].referenced_size = 0;
        assert_eq!(
            segments_from_sidx(&encode(&empty), 0, "", 0),
            Err(IndexError::EmptyReference { reference: 0 })
        );
        assert_eq!(
            segments_from_sidx(&encode(&sample(u64::MAX - 10, 0)), 0, "", 0),
            Err(IndexError::Overflow("first_offset"))
        );
        assert_eq!(
            segments_from_sidx(&encode(&sample(u64::MAX - 500, 0)), 0, "", 0),
            Err(IndexError::Overflow("byte offset"))
        );
        assert_eq!(segments_from_sidx(&good, u64::MAX - 5, "", 0), Err(IndexError::Overflow("box offset")));
        let mut late = sample(0, u64::MAX - 1);
        late.references.truncate(1);
        assert!(matches!(segments_from_sidx(&encode(&late), 0, "", 0), Err(IndexError::Overflow(_))));
        // A header claiming a 4-byte box.
        assert!(matches!(
            segments_from_sidx(&[0, 0, 0, 4, b's', b'i', b'd', b'x'], 0, "", 0),
            Err(IndexError::Malformed(_))
        ));
        // A sidx body cut short inside a box whose size says so.
        let mut short = good.clone();
        short.truncate(30);
        short[3] = 30;
        assert!(matches!(segments_from_sidx(&short, 0, "", 0), Err(IndexError::Malformed(_))));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let good = encode(&sample(0, 0));
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            let flips = next() % 8;
            for _ in 0..flips {
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = next() as u8;
            }
            bytes.truncate((next() % (bytes.len() as u64 + 1)) as usize);
            let _ = segments_from_sidx(&bytes, next(), "", next());
        }
    }
}
