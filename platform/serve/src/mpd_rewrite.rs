//! The MPD as the test CDN serves it: every location named by a BaseURL, and optionally a
//! DASH-IF content-steering server.
//!
//! The rewrite keeps the original text (formatting, comments, namespaces) and only cuts and
//! inserts elements:
//! - absolute BaseURLs (with a scheme, or network-path `//host/...`) are removed at every level:
//!   they name servers other than the test CDN's;
//! - MPD-level BaseURLs are removed too; the first relative one (a path prefix such as
//!   `content/`) is kept as a suffix of the inserted URLs; relative BaseURLs below the MPD level
//!   (ffmpeg's single-file `<BaseURL>stream0.mp4</BaseURL>`) stay, resolved against each location;
//! - MPD-level `<Location>`, `<PatchLocation>` and `<ContentSteering>` elements are removed (they
//!   would send the player elsewhere);
//! - one `<BaseURL serviceLocation="ID">URL</BaseURL>` per location is inserted at MPD level, in
//!   the given order, after any `<ProgramInformation>` (where the schema puts BaseURLs, so before
//!   the first Period), followed by
//!   `<ContentSteering defaultServiceLocation="FIRST" queryBeforeStart="false">URL</ContentSteering>`
//!   when a steering URL is given.
//!
//! ```
//! let mpd = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><BaseURL>http://cdn.example/</BaseURL>
//!   <Period/></MPD>"#;
//! let locations = [("a".to_string(), "http://127.0.0.1:8001/".to_string())];
//! let out = flick_serve::mpd_rewrite::rewrite(mpd, &locations, None).unwrap();
//! assert!(out.contains(r#"<BaseURL serviceLocation="a">http://127.0.0.1:8001/</BaseURL>"#));
//! assert!(!out.contains("cdn.example"));
//! ```

use quick_xml::events::Event;
use std::ops::Range;

/// Why an MPD could not be rewritten.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RewriteError {
    /// The text is not well-formed XML.
    #[error("XML error at byte {position}: {message}")]
    Xml {
        /// Byte offset of the error.
        position: u64,
        /// What is wrong.
        message: String,
    },
    /// The root element is not `<MPD>`.
    #[error("the root element is not <MPD>")]
    NotAnMpd,
}

/// MPD-level elements that come before BaseURL in the schema (the insertion goes after them).
const BEFORE_BASE_URL: &[&str] = &["ProgramInformation"];
/// MPD-level elements removed whole.
const REMOVED_AT_MPD_LEVEL: &[&str] = &["BaseURL", "Location", "PatchLocation", "ContentSteering"];

/// Rewrite `mpd` so that its BaseURLs are exactly `locations` (`(id, absolute URL)`, in order),
/// announcing the steering server at `steering_url` when given (its default location is the
/// first one).
pub fn rewrite(
    mpd: &str,
    locations: &[(String, String)],
    steering_url: Option<&str>,
) -> Result<String, RewriteError> {
    let scan = scan(mpd)?;
    let prefix = scan.prefix.map(|p| format!("{p}:")).unwrap_or_default();
    let suffix = scan.mpd_relative_base.unwrap_or("");
    let mut inserted = String::new();
    for (id, url) in locations {
        let url = join(url, suffix);
        inserted.push_str(&format!(
            "<{prefix}BaseURL serviceLocation=\"{}\">{}</{prefix}BaseURL>{}",
            escape(id),
            url,
            scan.indent
        ));
    }
    if let (Some(url), Some((first, _))) = (steering_url, locations.first()) {
        inserted.push_str(&format!(
            "<{prefix}ContentSteering defaultServiceLocation=\"{}\" queryBeforeStart=\"false\">{}</{prefix}ContentSteering>{}",
            escape(first),
            escape(url),
            scan.indent
        ));
    }

    let mut out = String::with_capacity(mpd.len() + inserted.len());
    let mut copied = 0;
    let mut removals = scan.removals.into_iter().map(|r| widen_to_line(mpd, r)).peekable();
    let mut insert_at = Some(scan.insert_at);
    loop {
        let next_removal = removals.peek().map(|r| r.start);
        match (insert_at, next_removal) {
            (Some(at), removal) if removal.is_none_or(|start| at <= start) => {
                out.push_str(&mpd[copied..at]);
                out.push_str(&inserted);
                copied = at;
                insert_at = None;
            }
            (_, Some(_)) => {
                let removal = removals.next().unwrap_or_default();
                out.push_str(&mpd[copied..removal.start.max(copied)]);
                copied = copied.max(removal.end);
            }
            (None, None) => break,
            (Some(_), None) => unreachable!("handled by the first arm"),
        }
    }
    out.push_str(&mpd[copied..]);
    Ok(out)
}

/// What one pass over the MPD found.
struct Scan<'a> {
    /// Namespace prefix of the root element (`mpd` in `<mpd:MPD>`).
    prefix: Option<String>,
    /// Byte ranges of the elements to remove, in document order.
    removals: Vec<Range<usize>>,
    /// Where the new elements go.
    insert_at: usize,
    /// Text to put after each inserted element (a newline and the indentation found).
    indent: String,
    /// The first relative MPD-level BaseURL, as written (escaped).
    mpd_relative_base: Option<&'a str>,
}

fn scan(mpd: &str) -> Result<Scan<'_>, RewriteError> {
    let mut reader = quick_xml::Reader::from_str(mpd);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut prefix = None;
    let mut removals = Vec::new();
    let mut insert_at = None;
    let mut mpd_relative_base = None;
    // The element being removed or examined: (start offset, content start, depth, is BaseURL).
    let mut open: Option<(usize, usize, usize, bool)> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| RewriteError::Xml { position: reader.error_position(), message: e.to_string() })?;
        let after = reader.buffer_position() as usize;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(element) | Event::Empty(element) if open.is_none() => {
                let name = element.name();
                let local = name.local_name();
                let local = local.as_ref();
                if !root_seen {
                    if local != "MPD" {
                        return Err(RewriteError::NotAnMpd);
                    }
                    root_seen = true;
                    prefix = name.prefix().map(|p| p.as_ref().to_string());
                    if !empty {
                        depth = 1;
                    }
                    continue;
                }
                if depth == 1
                    && insert_at.is_none()
                    && !BEFORE_BASE_URL.contains(&local)
                    && !REMOVED_AT_MPD_LEVEL.contains(&local)
                {
                    insert_at = Some(before);
                }
                let examine = local == "BaseURL" || (depth == 1 && REMOVED_AT_MPD_LEVEL.contains(&local));
                if examine && empty {
                    if depth == 1 {
                        removals.push(before..after);
                    }
                } else if examine {
                    open = Some((before, after, depth, local == "BaseURL"));
                    depth += 1;
                } else if !empty {
                    depth += 1;
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some((start, content_start, level, is_base)) = open
                    && depth == level
                {
                    open = None;
                    let content = mpd[content_start..before].trim();
                    let absolute = is_absolute(content);
                    if level == 1 || absolute {
                        removals.push(start..after);
                    }
                    if level == 1 && is_base && !absolute && !content.is_empty() {
                        mpd_relative_base.get_or_insert(content);
                    }
                } else if depth == 0 && root_seen && insert_at.is_none() {
                    insert_at = Some(before);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(RewriteError::NotAnMpd);
    }
    let (true, Some(insert_at)) = (depth == 0, insert_at) else {
        return Err(RewriteError::Xml {
            position: mpd.len() as u64,
            message: "unexpected end: an element is not closed".into(),
        });
    };
    let line_start = mpd[..insert_at].rfind('\n').map_or(0, |i| i + 1);
    let leading = &mpd[line_start..insert_at];
    let indent = if leading.chars().all(|c| c == ' ' || c == '\t') && line_start > 0 {
        format!("\n{leading}")
    } else {
        String::new()
    };
    Ok(Scan { prefix, removals, insert_at, indent, mpd_relative_base })
}

/// Whether a BaseURL names a server (a scheme such as `http:`, or `//host`).
pub(crate) fn is_absolute(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// `base` (ending in `/`) followed by the relative path `suffix`.
fn join(base: &str, suffix: &str) -> String {
    format!("{base}{}", suffix.strip_prefix('/').unwrap_or(suffix))
}

/// Extend a removed element over the indentation and line break before it, when it stands on a
/// line of its own.
pub(crate) fn widen_to_line(text: &str, range: Range<usize>) -> Range<usize> {
    let before = &text[..range.start];
    let trimmed = before.trim_end_matches([' ', '\t']);
    let start = if trimmed.ends_with('\n') {
        trimmed.strip_suffix("\r\n").or_else(|| trimmed.strip_suffix('\n')).map_or(range.start, str::len)
    } else {
        range.start
    };
    start..range.end
}

/// Escape text for an XML attribute or element.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Vec<(String, String)> {
        vec![("a".into(), "http://127.0.0.1:8001/".into()), ("b".into(), "http://127.0.0.1:8002/".into())]
    }

    #[test]
    fn inserts_base_urls_after_program_information_and_drops_foreign_ones() {
        let mpd = "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">\n\
                   \t<ProgramInformation><Title>t</Title></ProgramInformation>\n\
                   \t<BaseURL serviceLocation=\"x\">https://cdn.example/v/</BaseURL>\n\
                   \t<Location>https://cdn.example/manifest.mpd</Location>\n\
                   \t<Period>\n\t\t<AdaptationSet><BaseURL>//other.example/</BaseURL>\n\
                   \t\t\t<Representation id=\"0\"><BaseURL>stream0.mp4</BaseURL></Representation>\n\
                   \t\t</AdaptationSet>\n\t</Period>\n</MPD>\n";
        let out = rewrite(mpd, &two(), None).unwrap();
        let expected = "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">\n\
                        \t<ProgramInformation><Title>t</Title></ProgramInformation>\n\
                        \t<BaseURL serviceLocation=\"a\">http://127.0.0.1:8001/</BaseURL>\n\
                        \t<BaseURL serviceLocation=\"b\">http://127.0.0.1:8002/</BaseURL>\n\
                        \t<Period>\n\t\t<AdaptationSet>\n\
                        \t\t\t<Representation id=\"0\"><BaseURL>stream0.mp4</BaseURL></Representation>\n\
                        \t\t</AdaptationSet>\n\t</Period>\n</MPD>\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn announces_steering_and_replaces_an_existing_one() {
        let mpd = "<MPD>\n  <ContentSteering defaultServiceLocation=\"z\">https://s.example/</ContentSteering>\n  \
                   <Period/>\n</MPD>";
        let out = rewrite(mpd, &two(), Some("http://127.0.0.1:8001/steering")).unwrap();
        assert_eq!(
            out,
            "<MPD>\n  <BaseURL serviceLocation=\"a\">http://127.0.0.1:8001/</BaseURL>\n  \
             <BaseURL serviceLocation=\"b\">http://127.0.0.1:8002/</BaseURL>\n  \
             <ContentSteering defaultServiceLocation=\"a\" queryBeforeStart=\"false\">\
             http://127.0.0.1:8001/steering</ContentSteering>\n  <Period/>\n</MPD>"
        );
    }

    #[test]
    fn keeps_a_relative_mpd_base_url_as_a_path_and_the_root_prefix() {
        let mpd = "<mpd:MPD xmlns:mpd=\"urn:mpeg:dash:schema:mpd:2011\"><mpd:BaseURL>media/</mpd:BaseURL>\
                   <mpd:Period/></mpd:MPD>";
        let out = rewrite(mpd, &two()[..1], None).unwrap();
        assert_eq!(
            out,
            "<mpd:MPD xmlns:mpd=\"urn:mpeg:dash:schema:mpd:2011\">\
             <mpd:BaseURL serviceLocation=\"a\">http://127.0.0.1:8001/media/</mpd:BaseURL>\
             <mpd:Period/></mpd:MPD>"
        );
    }

    #[test]
    fn an_mpd_without_periods_still_gets_its_base_urls() {
        let out = rewrite("<MPD><BaseURL/></MPD>", &two()[..1], None).unwrap();
        assert_eq!(out, "<MPD><BaseURL serviceLocation=\"a\">http://127.0.0.1:8001/</BaseURL></MPD>");
    }

    #[test]
    fn refuses_what_is_not_an_mpd() {
        assert_eq!(rewrite("<html></html>", &two(), None), Err(RewriteError::NotAnMpd));
        assert_eq!(rewrite("", &two(), None), Err(RewriteError::NotAnMpd));
        assert!(matches!(rewrite("<MPD><Period>", &two(), None), Err(RewriteError::Xml { .. })));
        assert!(matches!(rewrite("<MPD><Period></MPD>", &two(), None), Err(RewriteError::Xml { .. })));
    }

    #[test]
    fn recognises_absolute_urls() {
        assert!(is_absolute("http://x/"));
        assert!(is_absolute("HTTPS://x/"));
        assert!(is_absolute("//x/"));
        assert!(!is_absolute("video/"));
        assert!(!is_absolute("a b:c"));
        assert!(!is_absolute("/abs/path/"));
    }
}
