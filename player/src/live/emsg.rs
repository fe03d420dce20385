//! In-band events: the `emsg` boxes (ISO/IEC 23009-1 5.10.3.3) at the top level of a media
//! segment, versions 0 and 1, read without trusting a single length.

use crate::presentation::StreamEvent;
use core::time::Duration;

/// Most events read from one segment.
pub const MAX_EVENTS_PER_SEGMENT: usize = 64;

/// Longest event message kept, in bytes (a longer one is cut).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The `emsg` events of a media segment that starts at `segment_start` on the presentation
/// timeline (a version-0 box's time is relative to it). Malformed boxes are skipped.
pub fn events(segment: &[u8], segment_start: Duration) -> Vec<StreamEvent> {
    let mut found = Vec::new();
    let mut at = 0usize;
    while found.len() < MAX_EVENTS_PER_SEGMENT {
        let Some((kind, body, next)) = top_level_box(segment, at) else { break };
        if kind == *b"emsg"
            && let Some(event) = parse(body, segment_start)
        {
            found.push(event);
        }
        // The media data follows the events: nothing of interest after it.
        if kind == *b"mdat" {
            break;
        }
        at = next;
    }
    found
}

/// The box at `at`: its type, its body and where the next one starts.
fn top_level_box(data: &[u8], at: usize) -> Option<([u8; 4], &[u8], usize)> {
    let header = data.get(at..at.checked_add(8)?)?;
    let size32 = u32::from_be_bytes(header[..4].try_into().ok()?) as u64;
    let kind: [u8; 4] = header[4..8].try_into().ok()?;
    let (header_len, size) = match size32 {
        0 => (8u64, (data.len() - at) as u64),
        1 => {
            let large = data.get(at + 8..at + 16)?;
            (16, u64::from_be_bytes(large.try_into().ok()?))
        }
        size => (8, size),
    };
    if size < header_len {
        return None;
    }
    let end = at.checked_add(usize::try_from(size).ok()?)?;
    let body = data.get(at + header_len as usize..end)?;
    Some((kind, body, end))
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let bytes = self.data.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(bytes)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let rest = self.data.get(self.at..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        self.at += len + 1;
        Some(String::from_utf8_lossy(&rest[..len]).into_owned())
    }
    fn rest(&mut self) -> &'a [u8] {
        let rest = self.data.get(self.at..).unwrap_or_default();
        self.at = self.data.len();
        rest
    }
}

fn ticks(value: u64, timescale: u32) -> Option<Duration> {
    (timescale > 0).then(|| crate::manifest::ticks_to_duration(value, u64::from(timescale)))
}

fn parse(body: &[u8], segment_start: Duration) -> Option<StreamEvent> {
    let mut r = Reader { data: body, at: 0 };
    let version = r.take(4)?[0];
    let (scheme, value, time, duration, id) = match version {
        0 => {
            let scheme = r.string()?;
            let value = r.string()?;
            let timescale = r.u32()?;
            let delta = r.u32()?;
            let duration = r.u32()?;
            let id = r.u32()?;
            let time = segment_start.checked_add(ticks(delta.into(), timescale)?)?;
            (scheme, value, time, (duration, timescale), id)
        }
        1 => {
            let timescale = r.u32()?;
            let time = r.u64()?;
            let duration = r.u32()?;
            let id = r.u32()?;
            let scheme = r.string()?;
            let value = r.string()?;
            (scheme, value, ticks(time, timescale)?, (duration, timescale), id)
        }
        _ => return None,
    };
    let message = r.rest();
    let message = &message[..message.len().min(MAX_MESSAGE_BYTES)];
    let (duration, timescale) = duration;
    Some(StreamEvent {
        scheme_id_uri: scheme,
        value: (!value.is_empty()).then_some(value),
        id: Some(id.to_string()),
        presentation_time: time,
        // 0xFFFFFFFF: unknown duration.
        duration: (duration != u32::MAX).then(|| ticks(duration.into(), timescale)).flatten(),
        message: base64(message),
        in_band: true,
    })
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn emsg_v0(scheme: &str, delta: u32, id: u32, message: &[u8]) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend_from_slice(scheme.as_bytes());
        body.push(0);
        body.extend_from_slice(b"1\0");
        for v in [90_000u32, delta, 180_000, id] {
            body.extend_from_slice(&v.to_be_bytes());
        }
        body.extend_from_slice(message);
        boxed(b"emsg", &body)
    }

    #[test]
    fn reads_version_0_and_1_events_before_the_media() {
        let mut segment = boxed(b"styp", b"msdh\0\0\0\0");
        segment.extend(emsg_v0("urn:scte:scte35:2013:bin", 45_000, 7, &[0xfc, 0x30, 0x11]));
        let mut v1 = vec![1, 0, 0, 0];
        v1.extend_from_slice(&1000u32.to_be_bytes());
        v1.extend_from_slice(&12_500u64.to_be_bytes());
        v1.extend_from_slice(&u32::MAX.to_be_bytes());
        v1.extend_from_slice(&9u32.to_be_bytes());
        v1.extend_from_slice(b"urn:example\0\0hello");
        segment.extend(boxed(b"emsg", &v1));
        segment.extend(boxed(b"moof", &[0; 16]));
        segment.extend(boxed(b"mdat", &[0; 32]));
        segment.extend(emsg_v0("after-mdat", 0, 1, b""));
        let found = events(&segment, Duration::from_secs(10));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].scheme_id_uri, "urn:scte:scte35:2013:bin");
        assert_eq!(found[0].presentation_time, Duration::from_millis(10_500));
        assert_eq!(found[0].duration, Some(Duration::from_secs(2)));
        assert_eq!(found[0].message, "/DAR");
        assert_eq!(found[0].id.as_deref(), Some("7"));
        assert_eq!(found[1].presentation_time, Duration::from_millis(12_500));
        assert_eq!(found[1].duration, None);
        assert_eq!(found[1].value, None);
        assert_eq!(found[1].message, "aGVsbG8=");
    }

    #[test]
    fn hostile_boxes_are_skipped_without_panicking() {
        let mut lying = 1000u32.to_be_bytes().to_vec();
        lying.extend_from_slice(b"emsg\0\0\0\0abc");
        assert!(events(&lying, Duration::ZERO).is_empty());
        let mut large = 1u32.to_be_bytes().to_vec();
        large.extend_from_slice(b"emsg");
        large.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(events(&large, Duration::ZERO).is_empty());
        assert!(events(&boxed(b"emsg", &[0, 0, 0, 0, b'x']), Duration::ZERO).is_empty());
        assert!(events(&[0, 0, 0, 4, 1, 2, 3, 4], Duration::ZERO).is_empty());
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }
}
