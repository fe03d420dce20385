//! Adaptation sets to tracks: what kind of media each carries, and its representations with the
//! attributes they inherit from the set.

use super::addressing::{self, Context};
use super::base_url::{self, Candidate};
use super::timing::PeriodSpan;
use super::{MAX_SEGMENTS, MAX_SEGMENTS_PER_REPRESENTATION, ManifestError, Walk, label};
use crate::presentation::{Representation, Track, TrackKind};
use dash_mpd_core::AdaptationSet;
use flick_abr::units::Bitrate;

/// The playable tracks of `period`, in document order.
pub(super) fn tracks(
    walk: &mut Walk<'_>,
    period: &dash_mpd_core::Period,
    span: &PeriodSpan,
    bases: &[Candidate],
    at: &str,
) -> Result<Vec<Track>, ManifestError> {
    let mut tracks = Vec::new();
    for (index, set) in period.adaptations.iter().enumerate() {
        let Some(kind) = classify(set) else { continue };
        if set.representations.is_empty() {
            continue;
        }
        let at = format!("{at} > {}", label("AdaptationSet", index, set.id.as_deref()));
        if set.href.is_some() {
            return Err(ManifestError::Unsupported { at, feature: "XLink AdaptationSet@href".into() });
        }
        let set_bases = base_url::descend(bases, &set.BaseURL, &at)?;
        let mut representations = Vec::with_capacity(set.representations.len());
        for (index, rep) in set.representations.iter().enumerate() {
            let at = format!("{at} > {}", label("Representation", index, rep.id.as_deref()));
            representations.push(representation(walk, period, set, rep, span, &set_bases, &at)?);
        }
        representations.sort_by_key(|r| r.bandwidth.bps());
        let first = set.representations.first();
        tracks.push(Track {
            kind,
            id: set.id.clone(),
            language: set.lang.clone().or_else(|| first.and_then(|r| r.lang.clone())),
            mime_type: set.mimeType.clone().or_else(|| first.and_then(|r| r.mimeType.clone())),
            representations,
        });
    }
    Ok(tracks)
}

fn representation(
    walk: &mut Walk<'_>,
    period: &dash_mpd_core::Period,
    set: &AdaptationSet,
    rep: &dash_mpd_core::Representation,
    span: &PeriodSpan,
    set_bases: &[Candidate],
    at: &str,
) -> Result<Representation, ManifestError> {
    if rep.href.is_some() {
        return Err(ManifestError::Unsupported {
            at: at.into(),
            feature: "XLink Representation@href".into(),
        });
    }
    // dash.js, Shaka and Media3 play representations without an id or a bandwidth: so does Flick,
    // with a warning (the id is made from the position; the bandwidth is taken as the lowest).
    let id = match rep.id.clone() {
        Some(id) => id,
        None => {
            let made = format!("{}-{}", set.id.as_deref().unwrap_or("set"), walk.unnamed);
            walk.unnamed += 1;
            walk.warnings.push(format!("{at}: no Representation@id; called it {made:?}"));
            made
        }
    };
    let bandwidth = match rep.bandwidth {
        None | Some(0) => {
            walk.warnings.push(format!(
                "{at}: Representation@bandwidth {}; taken as the lowest",
                if rep.bandwidth.is_some() { "is 0" } else { "is missing" }
            ));
            1
        }
        Some(bandwidth) => bandwidth,
    };
    let pixels = |value: Option<u64>, attribute: &'static str| {
        value
            .map(|v| {
                u32::try_from(v).map_err(|_| ManifestError::InvalidAttribute {
                    at: at.into(),
                    attribute,
                    value: v.to_string(),
                    reason: "out of range".into(),
                })
            })
            .transpose()
    };
    let rep_bases = base_url::descend(set_bases, &rep.BaseURL, at)?;
    let base_urls = walk.locations.base_urls(&rep_bases, walk.manifest_url, at)?;
    let remaining = MAX_SEGMENTS.saturating_sub(walk.segments_listed);
    let ctx = Context {
        at,
        representation_id: &id,
        bandwidth,
        period_duration: span.duration,
        horizon: walk.horizon,
        limit: MAX_SEGMENTS_PER_REPRESENTATION,
    };
    if addressing::template_without_media(period, set, rep) {
        walk.warnings.push(format!("{at}: SegmentTemplate without @media; its segments are the BaseURL"));
    }
    let segments = addressing::segment_index(period, set, rep, &ctx)?;
    // Segments computed from a template cost nothing until asked: only stored ones count.
    let count = segments.segments().filter(|s| !s.is_computed()).map_or(0, |s| s.len() as u64);
    if count > remaining {
        return Err(ManifestError::TooManySegments {
            at: at.into(),
            count: walk.segments_listed.saturating_add(count),
            limit: MAX_SEGMENTS,
        });
    }
    walk.segments_listed = walk.segments_listed.saturating_add(count);
    Ok(Representation {
        bandwidth: Bitrate(bandwidth),
        width: pixels(rep.width.or(set.width), "Representation@width")?,
        height: pixels(rep.height.or(set.height), "Representation@height")?,
        frame_rate: rep.frameRate.clone().or_else(|| set.frameRate.clone()),
        codecs: rep.codecs.clone().or_else(|| set.codecs.clone()),
        mime_type: rep.mimeType.clone().or_else(|| set.mimeType.clone()),
        audio_sampling_rate: rep.audioSamplingRate.clone().or_else(|| set.audioSamplingRate.clone()),
        base_urls,
        availability_time_offset: addressing::availability_time_offset(period, set, rep),
        segments,
        id,
    })
}

/// What an adaptation set carries, judged by (in order) its `@contentType`, a subtitle codec
/// anywhere in it, its `@mimeType`, its ContentComponents, its representations'
/// `@contentType`/`@mimeType`, and finally its codecs. `None` for anything else (thumbnails,
/// application data).
pub(super) fn classify(set: &AdaptationSet) -> Option<TrackKind> {
    if let Some(content_type) = &set.contentType {
        return kind_of_content_type(content_type);
    }
    let codecs = || set.codecs.iter().chain(set.representations.iter().filter_map(|r| r.codecs.as_ref()));
    if codecs().any(|c| kind_of_codecs(c) == Some(TrackKind::Text)) {
        return Some(TrackKind::Text);
    }
    if let Some(mime) = &set.mimeType {
        return kind_of_mime(mime);
    }
    if let Some(content_type) = set.ContentComponent.iter().find_map(|c| c.contentType.as_ref()) {
        return kind_of_content_type(content_type);
    }
    for rep in &set.representations {
        if let Some(content_type) = &rep.contentType {
            return kind_of_content_type(content_type);
        }
        if let Some(mime) = &rep.mimeType {
            return kind_of_mime(mime);
        }
    }
    codecs().find_map(|c| kind_of_codecs(c))
}

fn kind_of_content_type(content_type: &str) -> Option<TrackKind> {
    match content_type.trim() {
        "video" => Some(TrackKind::Video),
        "audio" => Some(TrackKind::Audio),
        "text" => Some(TrackKind::Text),
        _ => None,
    }
}

fn kind_of_mime(mime: &str) -> Option<TrackKind> {
    let mime = mime.trim();
    let top = mime.split('/').next().unwrap_or_default();
    match top {
        "video" => Some(TrackKind::Video),
        "audio" => Some(TrackKind::Audio),
        "text" => Some(TrackKind::Text),
        _ if mime.starts_with("application/ttml+xml") => Some(TrackKind::Text),
        _ => None,
    }
}

/// The kind of the first codec in a `@codecs` list (RFC 6381) that Flick recognises.
fn kind_of_codecs(codecs: &str) -> Option<TrackKind> {
    const VIDEO: &[&str] =
        &["avc1", "avc3", "hev1", "hvc1", "dvh1", "dvhe", "vp08", "vp09", "vp8", "vp9", "av01", "mp4v"];
    const AUDIO: &[&str] = &[
        "mp4a", "ac-3", "ec-3", "ac-4", "opus", "flac", "fLaC", "mp3", "dtsc", "dtse", "dtsx", "mha1",
        "mhm1", "vorbis",
    ];
    const TEXT: &[&str] = &["wvtt", "stpp", "tx3g", "ttml"];
    codecs.split(',').map(str::trim).find_map(|codec| {
        let family = codec.split('.').next().unwrap_or_default();
        if VIDEO.contains(&family) {
            Some(TrackKind::Video)
        } else if AUDIO.contains(&family) {
            Some(TrackKind::Audio)
        } else if TEXT.contains(&family) {
            Some(TrackKind::Text)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(content_type: Option<&str>, mime: Option<&str>, codecs: Option<&str>) -> AdaptationSet {
        AdaptationSet {
            contentType: content_type.map(Into::into),
            mimeType: mime.map(Into::into),
            codecs: codecs.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn classification() {
        assert_eq!(classify(&set(Some("video"), None, None)), Some(TrackKind::Video));
        assert_eq!(classify(&set(Some("image"), Some("image/jpeg"), None)), None);
        assert_eq!(classify(&set(None, Some("audio/mp4"), None)), Some(TrackKind::Audio));
        assert_eq!(classify(&set(None, Some("video/mp4"), Some("wvtt"))), Some(TrackKind::Text));
        assert_eq!(classify(&set(None, Some("application/ttml+xml"), None)), Some(TrackKind::Text));
        assert_eq!(classify(&set(None, None, Some("avc1.64001f"))), Some(TrackKind::Video));
        assert_eq!(classify(&set(None, None, Some("xyz, mp4a.40.2"))), Some(TrackKind::Audio));
        assert_eq!(classify(&set(None, Some("application/octet-stream"), None)), None);
        assert_eq!(classify(&set(None, None, None)), None);
        let mut by_rep = set(None, None, None);
        by_rep.representations.push(dash_mpd_core::Representation {
            mimeType: Some("audio/webm".into()),
            ..Default::default()
        });
        assert_eq!(classify(&by_rep), Some(TrackKind::Audio));
    }
}
