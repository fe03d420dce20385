//! The test CDN from the outside: real servers on loopback ports, real HTTP clients (reqwest, and
//! raw TCP where a client would tidy the request up). Every client call has a timeout.

mod faults;
mod http;
mod live;
mod manifest;
mod shaping;

use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::TempDir;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Size of `big.bin`.
pub const BIG: usize = 400_000;
/// Size of `chunk-stream0-00001.m4s`.
pub const SEGMENT: usize = 30_000;

/// A served folder: `dash/` (a hand-written MPD, an init segment, a media segment, `big.bin`)
/// beside `secret.txt` (which must never be served).
pub struct Folder {
    pub tmp: TempDir,
}

impl Folder {
    pub fn new(name: &str) -> Folder {
        let tmp = TempDir::new(&format!("serve-{name}"));
        let dash = tmp.0.join("dash");
        std::fs::create_dir_all(dash.join("sub")).unwrap();
        std::fs::write(dash.join("manifest.mpd"), MPD).unwrap();
        std::fs::write(dash.join("init-stream0.m4s"), bytes(1000, 1)).unwrap();
        std::fs::write(dash.join("chunk-stream0-00001.m4s"), bytes(SEGMENT, 2)).unwrap();
        std::fs::write(dash.join("big.bin"), bytes(BIG, 3)).unwrap();
        std::fs::write(dash.join("sub/inner.m4s"), bytes(10, 4)).unwrap();
        std::fs::write(tmp.0.join("secret.txt"), "secret").unwrap();
        Folder { tmp }
    }

    pub fn dash(&self) -> PathBuf {
        self.tmp.0.join("dash")
    }

    pub fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dash().join(name)).unwrap()
    }

    pub fn config(&self) -> ServeConfig {
        ServeConfig::new(self.dash())
    }
}

/// A small MPD in ffmpeg's shape, with a foreign BaseURL to be replaced.
pub const MPD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT2.0S" minBufferTime="PT2.0S">
	<BaseURL>https://cdn.example/</BaseURL>
	<Period id="0" start="PT0.0S">
		<AdaptationSet id="0" contentType="video" mimeType="video/mp4">
			<Representation id="0" codecs="avc1.64000d" bandwidth="150000" width="160" height="90">
				<SegmentTemplate timescale="1000" duration="2000" initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1"/>
			</Representation>
		</AdaptationSet>
	</Period>
</MPD>
"#;

/// `len` pseudo-random bytes.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A client that never uses a proxy, with a total timeout.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(timeout).build().unwrap()
}

/// `http://ADDRESS/PATH` on location `id`.
pub fn url(cdn: &TestCdn, id: &str, path: &str) -> String {
    let (_, address) = cdn.locations().into_iter().find(|(l, _)| l == id).unwrap();
    format!("http://{address}/{path}")
}

/// Send `request` as raw bytes to location `id` and read the answer (5 s at most).
pub async fn raw(cdn: &TestCdn, id: &str, request: &str) -> String {
    let (_, address) = cdn.locations().into_iter().find(|(l, _)| l == id).unwrap();
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    };
    tokio::time::timeout(Duration::from_secs(5), exchange).await.expect("an answer within 5 s")
}

/// Start a CDN on `config`.
pub async fn start(config: ServeConfig) -> TestCdn {
    TestCdn::start(config).await.expect("the test CDN starts")
}

/// Write `text` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
