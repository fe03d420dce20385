//! SegmentTemplate URL templates (ISO/IEC 23009-1 5.3.9.4.4): `$RepresentationID$`,
//! `$Number$`, `$Bandwidth$`, `$Time$`, each optionally with a `%0<width>d` format tag, and `$$`.

use std::fmt::Write as _;

/// Widest `%0<width>d` accepted (a `u64` has at most 20 digits).
const MAX_WIDTH: usize = 32;

/// A parsed URL template, ready to expand for many segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UrlTemplate {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    RepresentationId,
    Number { width: usize },
    Bandwidth { width: usize },
    Time { width: usize },
}

/// The values identifiers expand to; `None` when the template is used where the identifier
/// has no value (`$Number$` in an initialization template).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Values<'a> {
    pub(crate) representation_id: &'a str,
    pub(crate) bandwidth: u64,
    pub(crate) number: Option<u64>,
    pub(crate) time: Option<u64>,
}

impl UrlTemplate {
    /// Parse `template`; the error says what is wrong with it.
    pub(crate) fn parse(template: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = template;
        while let Some(dollar) = rest.find('$') {
            literal.push_str(rest.get(..dollar).unwrap_or_default());
            let after = rest.get(dollar + 1..).unwrap_or_default();
            let Some(end) = after.find('$') else {
                return Err(format!("unterminated identifier after byte {dollar}"));
            };
            let identifier = after.get(..end).unwrap_or_default();
            rest = after.get(end + 1..).unwrap_or_default();
            if identifier.is_empty() {
                literal.push('$');
                continue;
            }
            let (name, width) = match identifier.split_once('%') {
                Some((name, format)) => (name, Some(parse_format(format)?)),
                None => (identifier, None),
            };
            let width = width.unwrap_or(1);
            let part = match name {
                "RepresentationID" => Part::RepresentationId,
                "Number" => Part::Number { width },
                "Bandwidth" => Part::Bandwidth { width },
                "Time" => Part::Time { width },
                "SubNumber" => return Err("$SubNumber$ is not supported".into()),
                other => return Err(format!("unknown identifier ${other}$")),
            };
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(UrlTemplate { parts })
    }

    /// Expand the template; the error names an identifier without a value.
    pub(crate) fn expand(&self, values: &Values<'_>) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            // Writing to a String cannot fail.
            let _ = match *part {
                Part::Literal(ref text) => {
                    out.push_str(text);
                    Ok(())
                }
                Part::RepresentationId => {
                    out.push_str(values.representation_id);
                    Ok(())
                }
                Part::Bandwidth { width } => write!(out, "{:0width$}", values.bandwidth),
                Part::Number { width } => {
                    let number = values.number.ok_or("$Number$ has no value here")?;
                    write!(out, "{number:0width$}")
                }
                Part::Time { width } => {
                    let time = values.time.ok_or("$Time$ has no value here")?;
                    write!(out, "{time:0width$}")
                }
            };
        }
        Ok(out)
    }
}

/// `0<width>d` or `d` (the part after `%`).
fn parse_format(format: &str) -> Result<usize, String> {
    let digits = format
        .strip_suffix('d')
        .ok_or_else(|| format!("format tag %{format} is not of the form %0<width>d"))?;
    if digits.is_empty() {
        return Ok(1);
    }
    let width = digits
        .strip_prefix('0')
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("format tag %{format} is not of the form %0<width>d"))?;
    match width.parse::<usize>() {
        Ok(width) if width <= MAX_WIDTH => Ok(width),
        _ => Err(format!("format width {width} is over {MAX_WIDTH}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(number: Option<u64>, time: Option<u64>) -> Values<'static> {
        Values { representation_id: "v1", bandwidth: 500_000, number, time }
    }

    fn expand(template: &str, number: Option<u64>, time: Option<u64>) -> Result<String, String> {
        UrlTemplate::parse(template)?.expand(&values(number, time))
    }

    #[test]
    fn identifiers_and_widths() {
        assert_eq!(expand("$RepresentationID$/$Number%05d$.m4s", Some(42), None).unwrap(), "v1/00042.m4s");
        assert_eq!(expand("b$Bandwidth$-t$Time$.mp4", None, Some(90_000)).unwrap(), "b500000-t90000.mp4");
        assert_eq!(expand("$Number%03d$", Some(123_456), None).unwrap(), "123456");
        assert_eq!(expand("$Bandwidth%010d$", None, None).unwrap(), "0000500000");
        assert_eq!(expand("$Time%d$", None, Some(7)).unwrap(), "7");
        assert_eq!(expand("cost$$5/$Number$", Some(1), None).unwrap(), "cost$5/1");
        assert_eq!(expand("plain.mp4", None, None).unwrap(), "plain.mp4");
        assert_eq!(expand("https://cdn/$Number$", Some(3), None).unwrap(), "https://cdn/3");
    }

    #[test]
    fn bad_templates() {
        assert!(UrlTemplate::parse("$Number").unwrap_err().contains("unterminated"));
        assert!(UrlTemplate::parse("$Foo$").unwrap_err().contains("unknown identifier"));
        assert!(UrlTemplate::parse("$Number%5x$").is_err());
        assert!(UrlTemplate::parse("$Number%5d$").is_err());
        assert!(UrlTemplate::parse("$Number%0999999999999d$").unwrap_err().contains("width"));
        assert!(UrlTemplate::parse("$SubNumber$").is_err());
        assert!(expand("init-$Number$.mp4", None, None).unwrap_err().contains("$Number$"));
        assert!(expand("init-$Time$.mp4", None, None).unwrap_err().contains("$Time$"));
    }
}
