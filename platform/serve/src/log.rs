//! The request log: one record per request, updated while its body is sent, and optionally one
//! line per finished request on stderr.

use crate::faults::fault_name;
use flick_platform::faults::{FaultKind, ResourceKind};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the test CDN saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    /// Arrival, after the session's first request (the first request for the MPD or a segment
    /// any location received); zero for requests before it.
    pub at: Duration,
    /// Location id (`a`, `b`, ...).
    pub location: String,
    /// HTTP method.
    pub method: String,
    /// The request's path (as sent, percent-encoding included), without the query.
    pub path: String,
    /// The `Range` header, when sent.
    pub range: Option<String>,
    /// What the request was for, as faults see it (the MPD, an initialization segment or a
    /// media segment); `None` for requests outside the DASH folder (steering, `/www/`, `/time`).
    pub kind: Option<ResourceKind>,
    /// In live mode, the live segment number a media request asked for (`None` otherwise).
    pub segment: Option<u64>,
    /// Status of the response; `None` while it is pending, or when none was sent (a reset, a
    /// request never answered).
    pub status: Option<u16>,
    /// The fault applied to the request, if any.
    pub fault: Option<FaultKind>,
    /// Body bytes sent so far.
    pub bytes_sent: u64,
    /// From arrival to the end of the response (the last body byte, or the connection's end);
    /// `None` while it is running.
    pub duration: Option<Duration>,
}

/// Every request of a test CDN.
#[derive(Clone, Debug)]
pub(crate) struct RequestLog {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    print: bool,
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    /// An empty log; with `print`, each finished request is also written to stderr.
    pub(crate) fn new(print: bool) -> RequestLog {
        RequestLog { inner: Arc::new(Inner { print, records: Mutex::new(Vec::new()) }) }
    }

    /// Record a request arriving now; the entry updates the record until it is dropped.
    pub(crate) fn begin(&self, record: RequestRecord) -> LogEntry {
        let mut records = self.inner.lock();
        records.push(record);
        LogEntry { log: self.inner.clone(), index: records.len() - 1, started: Instant::now() }
    }

    /// A copy of every record.
    pub(crate) fn records(&self) -> Vec<RequestRecord> {
        self.inner.lock().clone()
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RequestRecord>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A request in progress; dropping it marks the request finished.
#[derive(Debug)]
pub(crate) struct LogEntry {
    log: Arc<Inner>,
    index: usize,
    started: Instant,
}

impl LogEntry {
    /// The response's status.
    pub(crate) fn set_status(&self, status: u16) {
        self.log.lock()[self.index].status = Some(status);
    }

    /// `bytes` more body bytes were sent.
    pub(crate) fn add_bytes(&self, bytes: u64) {
        self.log.lock()[self.index].bytes_sent += bytes;
    }
}

impl Drop for LogEntry {
    fn drop(&mut self) {
        let record = {
            let mut records = self.log.lock();
            let record = &mut records[self.index];
            record.duration = Some(self.started.elapsed());
            record.clone()
        };
        if self.log.print {
            eprintln!("{}", line(&record));
        }
    }
}

/// One line about a finished request.
fn line(r: &RequestRecord) -> String {
    let range = r.range.as_deref().map(|range| format!(" [{range}]")).unwrap_or_default();
    let status = r.status.map_or_else(|| "no response".to_string(), |s| s.to_string());
    let fault = r.fault.map(|f| format!(" (fault: {})", fault_name(f))).unwrap_or_default();
    let duration = r.duration.unwrap_or_default().as_millis();
    format!(
        "{} {:9.3}s {} {}{range} -> {status}, {} B in {duration} ms{fault}",
        r.location,
        r.at.as_secs_f64(),
        r.method,
        r.path,
        r.bytes_sent
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_update_their_record_until_dropped() {
        let log = RequestLog::new(false);
        let entry = log.begin(RequestRecord {
            at: Duration::from_millis(1500),
            location: "b".into(),
            method: "GET".into(),
            path: "/seg-1.m4s".into(),
            range: Some("bytes=0-99".into()),
            kind: Some(ResourceKind::Media),
            segment: None,
            status: None,
            fault: Some(FaultKind::Truncate),
            bytes_sent: 0,
            duration: None,
        });
        entry.set_status(206);
        entry.add_bytes(50);
        assert_eq!(log.records()[0].duration, None);
        drop(entry);
        let record = &log.records()[0];
        assert_eq!((record.status, record.bytes_sent), (Some(206), 50));
        assert!(record.duration.is_some());
        let text = line(record);
        assert!(text.starts_with("b     1.500s GET /seg-1.m4s [bytes=0-99] -> 206, 50 B in "), "{text}");
        assert!(text.ends_with(" ms (fault: truncate)"), "{text}");
    }
}
