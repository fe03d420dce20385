//! Resuming a media segment elsewhere after its request failed part-way: the bytes received are
//! kept and the next location is asked for the rest only.

use crate::presentation::ByteRange;

/// What a failed media request had received, kept so the retry asks only for the rest.
#[derive(Clone, Debug)]
pub(crate) struct Partial {
    /// Rung of the request.
    pub(crate) rep: usize,
    /// Segment of the request.
    pub(crate) segment: usize,
    /// Bytes received.
    pub(crate) received: u64,
    /// Whole size of the segment, from the failed response's announced length.
    pub(crate) total: Option<u64>,
    /// The bytes themselves (empty from drivers that pass none).
    pub(crate) data: Vec<bytes::Bytes>,
}

/// The byte range that asks for the rest of a resource of `size` bytes (or the part of it in
/// `range`) after `received` bytes of it arrived; `None` when the rest cannot be named.
pub(crate) fn rest(range: Option<ByteRange>, size: Option<u64>, received: u64) -> Option<ByteRange> {
    let rest = match (range, size) {
        (Some(r), _) => ByteRange { start: r.start.checked_add(received)?, end: r.end },
        (None, Some(size)) => ByteRange { start: received, end: size.checked_sub(1)? },
        (None, None) => return None,
    };
    (rest.start <= rest.end).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rest_of_a_resource_is_named_by_a_byte_range() {
        let r = |start, end| ByteRange { start, end };
        assert_eq!(rest(None, Some(1000), 400), Some(r(400, 999)));
        assert_eq!(rest(Some(r(100, 1099)), None, 400), Some(r(500, 1099)));
        assert_eq!(rest(None, None, 400), None, "no size, no range");
        assert_eq!(rest(None, Some(400), 400), None, "nothing left");
        assert_eq!(rest(Some(r(u64::MAX - 1, u64::MAX)), None, 5), None, "overflow");
    }
}
