//! A ladder read from a local DASH folder: the MPD's video representations, with every segment's
//! real size taken from the files on disk (whole files, byte ranges, or a `sidx` index).

use super::ladder::{AudioLadder, Ladder, LadderError};
use flick_player::presentation::{MediaSegment, SegmentIndex, Track, TrackKind};
use std::path::{Path, PathBuf};

/// Read the ladder of the first `.mpd` file in `dir`.
pub fn load(dir: &Path) -> Result<Ladder, LadderError> {
    let format = |message: String| LadderError::Format { path: dir.to_path_buf(), message };
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| LadderError::Io { path, cause }
    };
    let mut mpds: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mpd"))
        .collect();
    mpds.sort();
    let mpd = mpds.first().ok_or_else(|| format("no .mpd file in the folder".into()))?;
    let bytes = std::fs::read(mpd).map_err(io(mpd))?;
    let absolute = std::fs::canonicalize(mpd).map_err(io(mpd))?;
    let url =
        url::Url::from_file_path(&absolute).map_err(|()| format("the MPD path is not absolute".into()))?;
    let presentation =
        flick_player::manifest::parse(&bytes, &url).map_err(|e| format(format!("{}: {e}", mpd.display())))?;
    let video = presentation.track(TrackKind::Video).ok_or_else(|| format("the MPD has no video".into()))?;
    let (count, sizes, duration) = track_sizes(video, dir)?;
    let audio = match presentation.track(TrackKind::Audio) {
        Some(track) => {
            let (count, sizes, segment_duration) = track_sizes(track, dir)?;
            let rep = &track.representations[0];
            let sizes = sizes.into_iter().take(count).map(|column| column[0]).collect();
            Some(AudioLadder { bitrate: rep.bandwidth, sizes, segment_duration })
        }
        None => None,
    };
    Ok(Ladder {
        name: dir.display().to_string(),
        segment_duration: duration,
        bitrates: video.representations.iter().map(|r| r.bandwidth).collect(),
        sizes,
        segments: count,
        audio,
    })
}

/// Segment count, `sizes[segment][rung]` from disk, and the first segment's duration of a track.
fn track_sizes(
    track: &Track,
    dir: &Path,
) -> Result<(usize, Vec<Vec<u64>>, std::time::Duration), LadderError> {
    let format = |message: String| LadderError::Format { path: dir.to_path_buf(), message };
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| LadderError::Io { path, cause }
    };
    let mut columns: Vec<Vec<MediaSegment>> = Vec::new();
    for rep in &track.representations {
        let base = rep.base_urls.first().ok_or_else(|| format(format!("{}: no base URL", rep.id)))?;
        let segments = match &rep.segments {
            SegmentIndex::Listed { segments, .. } => segments.iter().collect(),
            SegmentIndex::Indexed { index, timescale, presentation_time_offset, .. } => {
                let range = index
                    .range
                    .ok_or_else(|| format(format!("{}: SegmentBase without indexRange", rep.id)))?;
                let path =
                    file_of(&base.url, &index.url).ok_or_else(|| format(format!("{}: bad URL", rep.id)))?;
                let data = std::fs::read(&path).map_err(io(&path))?;
                let end = usize::try_from(range.end.saturating_add(1)).unwrap_or(usize::MAX).min(data.len());
                let start = usize::try_from(range.start).unwrap_or(usize::MAX).min(end);
                flick_player::segment_index::segments_from_sidx_scaled(
                    &data[start..end],
                    range.start,
                    &index.url,
                    *presentation_time_offset,
                    *timescale,
                )
                .map_err(|e| format(format!("{}: {e}", rep.id)))?
            }
        };
        columns.push(segments);
    }
    let count = columns.iter().map(Vec::len).min().unwrap_or(0);
    if count == 0 {
        return Err(format(format!("the {:?} representations have no segments", track.kind)));
    }
    let mut sizes = vec![Vec::with_capacity(columns.len()); count];
    for (rep, column) in track.representations.iter().zip(&columns) {
        let base = &rep.base_urls[0].url;
        for (s, segment) in column.iter().take(count).enumerate() {
            let size = match segment.location.range {
                Some(range) => range.len(),
                None => {
                    let path = file_of(base, &segment.location.url)
                        .ok_or_else(|| format(format!("{}: bad segment URL", rep.id)))?;
                    std::fs::metadata(&path).map_err(io(&path))?.len()
                }
            };
            sizes[s].push(size);
        }
    }
    Ok((count, sizes, columns[0][0].duration))
}

fn file_of(base: &url::Url, reference: &str) -> Option<PathBuf> {
    base.join(reference).ok()?.to_file_path().ok()
}
