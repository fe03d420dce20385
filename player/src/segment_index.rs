//! Segment indexes: `sidx` boxes to media segment lists.

use crate::presentation::MediaSegment;

/// Why a segment index could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum IndexError {
    /// The bytes do not hold a usable `sidx` box.
    #[error("bad segment index: {0}")]
    Malformed(String),
}

/// Media segments described by the `sidx` box in `bytes`, which were fetched from byte
/// `index_start` of `media_url`.
pub fn segments_from_sidx(
    _bytes: &[u8],
    _index_start: u64,
    _media_url: &str,
    _presentation_time_offset: u64,
) -> Result<Vec<MediaSegment>, IndexError> {
    Err(IndexError::Malformed("not implemented yet".into()))
}
