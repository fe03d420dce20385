//! The served folders: finding the MPD, mapping URL paths to files (refusing any way out of the
//! folder), content types and byte ranges.

use crate::ServeError;
use std::path::{Component, Path, PathBuf};

/// The MPD of a DASH folder: the first `.mpd` file (by name) directly in `dir`, as a file name.
pub(crate) fn find_manifest(dir: &Path) -> Result<PathBuf, ServeError> {
    let entries =
        std::fs::read_dir(dir).map_err(|cause| ServeError::Io { path: dir.to_path_buf(), cause })?;
    let mut manifests: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| PathBuf::from(e.file_name()))
        .filter(|name| name.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("mpd")))
        .filter(|name| dir.join(name).is_file())
        .collect();
    manifests.sort();
    manifests.into_iter().next().ok_or_else(|| ServeError::NoManifest(dir.to_path_buf()))
}

/// A relative file path as a URL path (without the leading `/`), percent-encoding what must be.
pub(crate) fn url_path_of(relative: &Path) -> String {
    let mut out = String::new();
    for (i, part) in relative.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        for byte in part.as_os_str().to_string_lossy().bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// Why a URL path maps to no file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The path tries to leave the folder (`..`, encoded separators, symbolic links out).
    Forbidden,
    /// No such file.
    NotFound,
}

/// The file `url_path` (already stripped of any route prefix) names under `root` (canonical).
pub(crate) fn resolve(root: &Path, url_path: &str) -> Result<PathBuf, Refusal> {
    let decoded = percent_decode(url_path).ok_or(Refusal::Forbidden)?;
    let mut path = root.to_path_buf();
    for part in decoded.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        if part == ".." || part.contains(['\\', '\0']) {
            return Err(Refusal::Forbidden);
        }
        let mut components = Path::new(part).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(_)), None) => path.push(part),
            _ => return Err(Refusal::Forbidden),
        }
    }
    let canonical = path.canonicalize().map_err(|_| Refusal::NotFound)?;
    if !canonical.starts_with(root) {
        return Err(Refusal::Forbidden);
    }
    Ok(canonical)
}

/// `%XX` decoding; `None` when the result is not UTF-8 or an escape is malformed.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a file, from its extension.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "mpd" => "application/dash+xml",
        "m4s" => "video/iso.segment",
        "mp4" | "m4v" | "cmfv" => "video/mp4",
        "m4a" | "cmfa" => "audio/mp4",
        "webm" => "video/webm",
        "ts" => "video/mp2t",
        "vtt" => "text/vtt",
        "ttml" => "application/ttml+xml",
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// What a `Range` header asks of a body of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// No range: the whole body.
    Whole,
    /// Bytes `start..=end` (inclusive).
    Part { start: u64, end: u64 },
    /// A range that cannot be served (malformed, several ranges, or outside the body): 416.
    Unsatisfiable,
}

/// Read a `Range` header (single byte ranges only: `bytes=a-b`, `bytes=a-`, `bytes=-n`).
pub(crate) fn parse_range(header: Option<&str>, len: u64) -> RangeRequest {
    let Some(header) = header else { return RangeRequest::Whole };
    let Some(spec) = header.trim().strip_prefix("bytes=") else { return RangeRequest::Unsatisfiable };
    let Some((first, last)) = spec.trim().split_once('-') else { return RangeRequest::Unsatisfiable };
    let number = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (Some(first), Some(last)) = (number(first), number(last)) else {
        return RangeRequest::Unsatisfiable;
    };
    let (start, end) = match (first, last) {
        (Some(start), Some(end)) if start <= end => (start, end.min(len.saturating_sub(1))),
        (Some(start), None) => (start, len.saturating_sub(1)),
        (None, Some(suffix)) if suffix > 0 => (len.saturating_sub(suffix), len.saturating_sub(1)),
        _ => return RangeRequest::Unsatisfiable,
    };
    if start >= len {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Part { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110_for_single_ranges() {
        use RangeRequest::*;
        assert_eq!(parse_range(None, 10), Whole);
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Part { start: 0, end: 3 });
        assert_eq!(parse_range(Some("bytes=4-"), 10), Part { start: 4, end: 9 });
        assert_eq!(parse_range(Some("bytes=-3"), 10), Part { start: 7, end: 9 });
        assert_eq!(parse_range(Some("bytes=-30"), 10), Part { start: 0, end: 9 });
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Part { start: 5, end: 9 });
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("items=0-1"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-0"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=+1-2"), 10), Unsatisfiable);
    }

    #[test]
    fn paths_stay_inside_the_folder() {
        let root = std::env::temp_dir().join(format!("flick-serve-files-{}", std::process::id()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a b.m4s"), b"x").unwrap();
        let root = root.canonicalize().unwrap();
        assert_eq!(resolve(&root, "sub/a%20b.m4s"), Ok(root.join("sub/a b.m4s")));
        assert_eq!(resolve(&root, "./sub//a%20b.m4s"), Ok(root.join("sub/a b.m4s")));
        assert_eq!(resolve(&root, "../etc/passwd"), Err(Refusal::Forbidden));
        assert_eq!(resolve(&root, "sub/%2e%2e/%2e%2e/etc/passwd"), Err(Refusal::Forbidden));
        assert_eq!(resolve(&root, "sub%2F..%2F..%2Fetc"), Err(Refusal::Forbidden));
        assert_eq!(resolve(&root, "sub/%5C..%5C"), Err(Refusal::Forbidden));
        assert_eq!(resolve(&root, "%zz"), Err(Refusal::Forbidden));
        assert_eq!(resolve(&root, "missing.m4s"), Err(Refusal::NotFound));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn url_paths_are_escaped_and_types_known() {
        assert_eq!(url_path_of(Path::new("my manifest.mpd")), "my%20manifest.mpd");
        assert_eq!(content_type(Path::new("x/chunk-1.m4s")), "video/iso.segment");
        assert_eq!(content_type(Path::new("manifest.MPD")), "application/dash+xml");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }
}
