//! References to resources inside an MPD: initialization segments, media segment URLs and
//! their byte ranges.

use super::ManifestError;
use super::addressing::{Context, invalid};
use crate::presentation::{ByteRange, SegmentRef};
use dash_mpd_core::Initialization;

pub(super) fn initialization(
    element: Option<&Initialization>,
    ctx: &Context<'_>,
) -> Result<Option<SegmentRef>, ManifestError> {
    let Some(element) = element else {
        return Ok(None);
    };
    if element.sourceURL.is_none() && element.range.is_none() {
        return Ok(None);
    }
    let range = element.range.as_deref().map(|r| byte_range(r, ctx, "Initialization@range")).transpose()?;
    Ok(Some(SegmentRef { url: element.sourceURL.clone().unwrap_or_default(), range }))
}

pub(super) fn media_ref(
    segment_url: &dash_mpd_core::SegmentURL,
    ctx: &Context<'_>,
) -> Result<SegmentRef, ManifestError> {
    let range =
        segment_url.mediaRange.as_deref().map(|r| byte_range(r, ctx, "SegmentURL@mediaRange")).transpose()?;
    Ok(SegmentRef { url: segment_url.media.clone().unwrap_or_default(), range })
}

/// `first-last`, both inclusive, `first <= last`.
pub(super) fn byte_range(
    text: &str,
    ctx: &Context<'_>,
    attribute: &'static str,
) -> Result<ByteRange, ManifestError> {
    let parsed = text.trim().split_once('-').and_then(|(first, last)| {
        let number = |s: &str| {
            let s = s.trim();
            s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u64>().ok()).flatten()
        };
        Some((number(first)?, number(last)?))
    });
    match parsed {
        Some((start, end)) if start <= end => Ok(ByteRange { start, end }),
        Some(_) => Err(invalid(ctx, attribute, text, "the first byte is after the last")),
        None => Err(invalid(ctx, attribute, text, "expected first-last byte positions")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    fn ctx() -> Context<'static> {
        Context {
            at: "R",
            representation_id: "r",
            bandwidth: 1,
            period_duration: Some(Duration::from_secs(10)),
            horizon: None,
            limit: 100,
        }
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(byte_range("0-826", &ctx(), "a").unwrap(), ByteRange { start: 0, end: 826 });
        assert_eq!(byte_range(" 5 - 5 ", &ctx(), "a").unwrap(), ByteRange { start: 5, end: 5 });
        for bad in ["", "5", "5-", "-5", "9-3", "a-b", "+1-2", "1-99999999999999999999"] {
            assert!(
                matches!(byte_range(bad, &ctx(), "a"), Err(ManifestError::InvalidAttribute { .. })),
                "{bad:?}"
            );
        }
    }
}
