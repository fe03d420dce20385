//! Common Media Client Data (CTA-5004): what the player tells the CDN about each request, as a
//! `CMCD` query parameter or as the four `CMCD-*` headers.

use serde::{Deserialize, Serialize};

/// How CMCD travels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmcdTransmission {
    /// One `CMCD=` query parameter.
    #[default]
    Query,
    /// `CMCD-Object`, `CMCD-Request`, `CMCD-Session` and `CMCD-Status` headers.
    Headers,
}

/// Whether and how to send CMCD.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CmcdConfig {
    /// Query parameter or headers.
    pub transmission: CmcdTransmission,
    /// `sid`: the session id (any string the operator can correlate).
    pub session_id: Option<String>,
    /// `cid`: the content id.
    pub content_id: Option<String>,
}

/// The CMCD values of one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CmcdData {
    /// `br`: encoded bitrate of the object, kbit/s.
    pub bitrate_kbps: Option<u64>,
    /// `bl`: buffer length, ms (rounded down to 100 ms).
    pub buffer_ms: Option<u64>,
    /// `bs`: the buffer ran dry since the last request.
    pub buffer_starvation: bool,
    /// `d`: object duration, ms.
    pub duration_ms: Option<u64>,
    /// `mtp`: measured throughput, kbit/s (rounded to 100).
    pub throughput_kbps: Option<u64>,
    /// `ot`: object type (`m` manifest, `v` video, `a` audio, `i` init, `c` caption, `o` other).
    pub object_type: &'static str,
    /// `su`: start-up (playback has not started yet).
    pub startup: bool,
    /// `tb`: top bitrate of the ladder, kbit/s.
    pub top_bitrate_kbps: Option<u64>,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl CmcdData {
    /// The keys, sorted, split into the four header groups (object, request, session, status).
    fn groups(&self, config: &CmcdConfig) -> [Vec<String>; 4] {
        let mut object = Vec::new();
        let mut request = Vec::new();
        let mut session = Vec::new();
        let mut status = Vec::new();
        if let Some(v) = self.bitrate_kbps {
            object.push(format!("br={v}"));
        }
        if let Some(v) = self.buffer_ms {
            request.push(format!("bl={}", v / 100 * 100));
        }
        if self.buffer_starvation {
            status.push("bs".to_string());
        }
        if let Some(v) = &config.content_id {
            session.push(format!("cid={}", quote(v)));
        }
        if let Some(v) = self.duration_ms {
            object.push(format!("d={v}"));
        }
        if let Some(v) = self.throughput_kbps {
            request.push(format!("mtp={}", (v + 50) / 100 * 100));
        }
        object.push(format!("ot={}", self.object_type));
        session.push("sf=d".to_string());
        if let Some(v) = &config.session_id {
            session.push(format!("sid={}", quote(v)));
        }
        session.push("st=v".to_string());
        if self.startup {
            request.push("su".to_string());
        }
        if let Some(v) = self.top_bitrate_kbps {
            object.push(format!("tb={v}"));
        }
        [object, request, session, status]
    }

    /// The query-parameter value: every key, sorted by name, comma-separated.
    pub fn query_value(&self, config: &CmcdConfig) -> String {
        let mut all: Vec<String> = self.groups(config).into_iter().flatten().collect();
        all.sort();
        all.join(",")
    }

    /// The headers (only the non-empty groups).
    pub fn headers(&self, config: &CmcdConfig) -> Vec<(String, String)> {
        let names = ["CMCD-Object", "CMCD-Request", "CMCD-Session", "CMCD-Status"];
        names
            .iter()
            .zip(self.groups(config))
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(name, keys)| (name.to_string(), keys.join(",")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> CmcdData {
        CmcdData {
            bitrate_kbps: Some(3000),
            buffer_ms: Some(8_431),
            buffer_starvation: false,
            duration_ms: Some(4000),
            throughput_kbps: Some(25_432),
            object_type: "v",
            startup: false,
            top_bitrate_kbps: Some(6000),
        }
    }

    #[test]
    fn query_keys_are_sorted_and_rounded_as_the_spec_says() {
        let config = CmcdConfig { session_id: Some("6e2fb550".into()), ..CmcdConfig::default() };
        assert_eq!(
            data().query_value(&config),
            "bl=8400,br=3000,d=4000,mtp=25400,ot=v,sf=d,sid=\"6e2fb550\",st=v,tb=6000"
        );
    }

    #[test]
    fn headers_group_the_keys() {
        let config = CmcdConfig { transmission: CmcdTransmission::Headers, ..CmcdConfig::default() };
        let headers = CmcdData { startup: true, buffer_starvation: true, ..data() }.headers(&config);
        assert_eq!(headers[0], ("CMCD-Object".into(), "br=3000,d=4000,ot=v,tb=6000".into()));
        assert_eq!(headers[1], ("CMCD-Request".into(), "bl=8400,mtp=25400,su".into()));
        assert_eq!(headers[2], ("CMCD-Session".into(), "sf=d,st=v".into()));
        assert_eq!(headers[3], ("CMCD-Status".into(), "bs".into()));
    }
}
