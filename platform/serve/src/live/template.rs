//! `SegmentTemplate` URLs (`$RepresentationID$`, `$Number%05d$`, ...) and relative URL paths.

/// `template` with its identifiers replaced (ISO/IEC 23009-1 5.3.9.4.4): `$$`,
/// `$RepresentationID$`, `$Bandwidth$`, `$Number$` and `$Time$`, the last three with an optional
/// `%0Nd` width. An identifier without a value, or an unknown one, is an error.
pub(crate) fn fill(
    template: &str,
    id: &str,
    bandwidth: Option<u64>,
    number: Option<u64>,
    time: Option<u128>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('$') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('$').ok_or_else(|| format!("an unclosed $ in {template:?}"))?;
        let identifier = &after[..close];
        rest = &after[close + 1..];
        if identifier.is_empty() {
            out.push('$');
            continue;
        }
        if identifier == "RepresentationID" {
            out.push_str(id);
            continue;
        }
        let (name, format) = identifier.split_once('%').unwrap_or((identifier, ""));
        let value = match name {
            "Number" => number.map(u128::from),
            "Time" => time,
            "Bandwidth" => bandwidth.map(u128::from),
            _ => return Err(format!("${identifier}$ in {template:?} is not supported")),
        };
        let value = value.ok_or_else(|| format!("${name}$ has no value in {template:?}"))?;
        let width = match format.strip_suffix('d') {
            _ if format.is_empty() => 0,
            Some(width) if width.starts_with('0') && width.bytes().all(|b| b.is_ascii_digit()) => {
                width.parse::<usize>().ok().filter(|w| *w <= 64).ok_or("a format width past 64")?
            }
            _ => return Err(format!("the format of ${identifier}$ is not %0Nd")),
        };
        out.push_str(&format!("{value:0width$}"));
    }
    out.push_str(rest);
    Ok(out)
}

/// The URL path `reference` names when resolved against the URL path `base` (both relative to
/// the server's root, without the leading `/`): an absolute path starts again from the root,
/// anything else replaces `base`'s last segment.
pub(crate) fn resolve(base: &str, reference: &str) -> String {
    match reference.strip_prefix('/') {
        Some(from_root) => from_root.to_string(),
        None => format!("{}{reference}", directory(base)),
    }
}

/// `path` up to and including its last `/` (empty when it has none).
pub(crate) fn directory(path: &str) -> &str {
    &path[..path.rfind('/').map_or(0, |i| i + 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_replaced_with_their_formats() {
        let fill = |t: &str| fill(t, "v 1", Some(150_000), Some(7), Some(25_600));
        assert_eq!(
            fill("chunk-stream$RepresentationID$-$Number%05d$.m4s").unwrap(),
            "chunk-streamv 1-00007.m4s"
        );
        assert_eq!(fill("$Bandwidth$/$Time$.m4s").unwrap(), "150000/25600.m4s");
        assert_eq!(fill("a$$b$Number%01d$").unwrap(), "a$b7");
        assert_eq!(fill("plain.m4s").unwrap(), "plain.m4s");
        for bad in ["$Number", "$SubNumber$", "$Number%5d$", "$Number%05x$", "$Number%0100d$"] {
            assert!(fill(bad).is_err(), "{bad}");
        }
        assert!(super::fill("$Time$", "0", None, Some(1), None).is_err());
    }

    #[test]
    fn references_resolve_like_urls() {
        assert_eq!(resolve("", "init.m4s"), "init.m4s");
        assert_eq!(resolve("media/", "video/"), "media/video/");
        assert_eq!(resolve("media/stream0.mp4", "live/0/1.m4s"), "media/live/0/1.m4s");
        assert_eq!(resolve("media/", "/other/x.m4s"), "other/x.m4s");
        assert_eq!(directory("a/b/c"), "a/b/");
        assert_eq!(directory("c"), "");
    }
}
