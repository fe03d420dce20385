//! Response bodies: sent in chunks at the location's pace, cut short where a fault says so, and
//! accounted in the request log as they go.

use crate::faults::BodyEnd;
use crate::log::LogEntry;
use crate::shaping::Link;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::Frame;
use std::io::{self, SeekFrom};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// The body type of every response.
pub(crate) type Body = http_body_util::combinators::BoxBody<Bytes, io::Error>;

/// A whole body held in memory.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// No body.
pub(crate) fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// Where body bytes come from.
pub(crate) enum Source {
    /// Bytes in memory (the rewritten MPD, the steering answer).
    Memory(Bytes),
    /// An open file.
    File(tokio::fs::File),
}

impl Source {
    /// Move to byte `offset`.
    async fn seek(&mut self, offset: u64) -> io::Result<()> {
        match self {
            Source::Memory(bytes) => {
                let offset = (offset as usize).min(bytes.len());
                *bytes = bytes.slice(offset..);
            }
            Source::File(file) => {
                file.seek(SeekFrom::Start(offset)).await?;
            }
        }
        Ok(())
    }

    /// The next `n` bytes.
    async fn read(&mut self, n: usize) -> io::Result<Bytes> {
        match self {
            Source::Memory(bytes) if bytes.len() >= n => Ok(bytes.split_to(n)),
            Source::Memory(_) => Err(io::ErrorKind::UnexpectedEof.into()),
            Source::File(file) => {
                let mut buffer = vec![0; n];
                file.read_exact(&mut buffer).await?;
                Ok(buffer.into())
            }
        }
    }
}

/// A body: `send` bytes of `source` from `offset`, through `link` when shaped, then `end`.
pub(crate) struct Plan {
    /// Where the bytes come from.
    pub(crate) source: Source,
    /// First byte.
    pub(crate) offset: u64,
    /// How many bytes to send.
    pub(crate) send: u64,
    /// What happens after them.
    pub(crate) end: BodyEnd,
    /// The location's link, when this body is shaped.
    pub(crate) link: Option<Arc<Link>>,
    /// The request's log entry, kept until the body ends.
    pub(crate) entry: LogEntry,
    /// Send this many bytes a second, and no faster (a trickling fault).
    pub(crate) trickle: Option<u64>,
    /// Some of the body went already (a trickle waits a second before each later piece).
    pub(crate) started: bool,
}

/// How long a truncated body waits after its last bytes before the connection goes, so those
/// bytes leave first.
const TRUNCATE_GRACE: Duration = Duration::from_millis(50);

/// A streamed body following `plan`.
pub(crate) fn streamed(plan: Plan) -> Body {
    let stream = futures_util::stream::unfold((plan, false), |(mut plan, mut positioned)| async move {
        if !positioned {
            if let Err(e) = plan.source.seek(plan.offset).await {
                return Some((Err(e), end_of_stream(plan)));
            }
            positioned = true;
        }
        if plan.send == 0 {
            return match plan.end {
                BodyEnd::Complete => None,
                BodyEnd::Stall => std::future::pending().await,
                BodyEnd::Abort => {
                    tokio::time::sleep(TRUNCATE_GRACE).await;
                    let e = io::Error::new(io::ErrorKind::ConnectionAborted, "body truncated by a fault");
                    Some((Err(e), end_of_stream(plan)))
                }
            };
        }
        let n = match (&plan.link, plan.trickle) {
            (_, Some(rate)) => {
                if plan.started {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                usize::try_from(rate).unwrap_or(usize::MAX)
            }
            (Some(link), None) => link.chunk_size(),
            (None, None) => 64 * 1024,
        };
        let n = (n as u64).min(plan.send) as usize;
        let bytes = match plan.source.read(n).await {
            Ok(bytes) => bytes,
            Err(e) => return Some((Err(e), end_of_stream(plan))),
        };
        if let Some(link) = &plan.link {
            link.send(n).await;
        }
        plan.entry.add_bytes(n as u64);
        plan.send -= n as u64;
        plan.started = true;
        Some((Ok(Frame::data(bytes)), (plan, positioned)))
    });
    StreamBody::new(stream).boxed()
}

/// A state after which the stream ends at once (its next poll yields nothing).
fn end_of_stream(mut plan: Plan) -> (Plan, bool) {
    plan.send = 0;
    plan.end = BodyEnd::Complete;
    (plan, true)
}
