//! Plain HTTP: whole files, byte ranges, HEAD, content types, CORS, refusals, `/www/`.

use crate::{BIG, Folder, client, raw, start, url, write};
use flick_serve::{Cors, ServeConfig};
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_and_ranged_gets_return_the_files_bytes() {
    let folder = Folder::new("get");
    let cdn = start(folder.config()).await;
    let http = client(T);
    let big = folder.file("big.bin");
    for id in ["a", "b"] {
        let response = http.get(url(&cdn, id, "big.bin")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["accept-ranges"], "bytes");
        assert_eq!(response.headers()["content-length"], BIG.to_string());
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.bytes().await.unwrap(), big);
    }

    let ranged = |range: &'static str| http.get(url(&cdn, "b", "big.bin")).header("Range", range).send();
    let response = ranged("bytes=1000-1999").await.unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], format!("bytes 1000-1999/{BIG}"));
    assert_eq!(response.headers()["content-length"], "1000");
    assert_eq!(response.bytes().await.unwrap(), big[1000..2000]);
    let response = ranged("bytes=399990-").await.unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(response.bytes().await.unwrap(), big[399_990..]);
    let response = ranged("bytes=-5").await.unwrap();
    assert_eq!(response.headers()["content-range"], format!("bytes 399995-399999/{BIG}"));
    assert_eq!(response.bytes().await.unwrap(), big[BIG - 5..]);
    let response = ranged("bytes=399000-500000").await.unwrap();
    assert_eq!(response.bytes().await.unwrap(), big[399_000..]);

    let response = http.head(url(&cdn, "a", "big.bin")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], BIG.to_string());
    assert!(response.bytes().await.unwrap().is_empty());

    let types = [
        ("manifest.mpd", "application/dash+xml"),
        ("init-stream0.m4s", "video/iso.segment"),
        ("big.bin", "application/octet-stream"),
    ];
    for (path, content_type) in types {
        let response = http.head(url(&cdn, "a", path)).send().await.unwrap();
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
    }
    let inner = http.get(url(&cdn, "a", "sub/inner.m4s")).send().await.unwrap();
    assert_eq!(inner.bytes().await.unwrap(), folder.file("sub/inner.m4s"));
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ranges_get_416_with_the_length() {
    let folder = Folder::new("416");
    let cdn = start(folder.config()).await;
    let http = client(T);
    for range in [format!("bytes={BIG}-"), "bytes=20-10".into(), "bytes=0-1,5-6".into(), "lines=1-2".into()] {
        let response = http.get(url(&cdn, "a", "big.bin")).header("Range", &range).send().await.unwrap();
        assert_eq!(response.status(), 416, "{range}");
        assert_eq!(response.headers()["content-range"], format!("bytes */{BIG}"), "{range}");
    }
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_open_to_any_origin_on_loopback() {
    let folder = Folder::new("cors");
    let cdn = start(folder.config()).await;
    assert_eq!(cdn.cors(), Cors::Any, "the default on a loopback address");
    let http = client(T);
    let response = http
        .get(url(&cdn, "a", "big.bin"))
        .header("Origin", "http://page.example")
        .header("Range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("content-length") && exposed.contains("content-range"), "{exposed}");
    // A cross-origin player can read the server's clock (a live stream's fallback when it has no UTCTiming).
    assert!(exposed.contains("date"), "{exposed}");

    let preflight = http
        .request(reqwest::Method::OPTIONS, url(&cdn, "b", "big.bin"))
        .header("Origin", "http://page.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "range")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(preflight.headers()["access-control-allow-methods"].to_str().unwrap().contains("GET"));
    assert_eq!(preflight.headers()["access-control-allow-headers"], "range");

    let missing = http.get(url(&cdn, "a", "missing.m4s")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["access-control-allow-origin"], "*");
    let post = http.post(url(&cdn, "a", "big.bin")).send().await.unwrap();
    assert_eq!(post.status(), 405);
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_cors_answers_only_loopback_pages_and_the_cdns_own() {
    // What a non-loopback bind gets by default (tested here on loopback, asked for explicitly).
    let folder = Folder::new("cors-local");
    let cdn = start(ServeConfig { cors: Cors::Local, ..folder.config() }).await;
    assert_eq!(cdn.cors(), Cors::Local);
    let http = client(T);
    let get = |origin: &'static str| http.get(url(&cdn, "a", "big.bin")).header("Origin", origin).send();

    let foreign = get("http://page.example").await.unwrap();
    assert_eq!(foreign.status(), 200, "the file is still served");
    assert!(foreign.headers().get("access-control-allow-origin").is_none(), "{:?}", foreign.headers());
    assert!(foreign.headers().get("timing-allow-origin").is_none());
    assert_eq!(foreign.headers()["vary"], "Origin");

    let local = get("http://localhost:3000").await.unwrap();
    assert_eq!(local.headers()["access-control-allow-origin"], "http://localhost:3000");
    assert_eq!(local.headers()["vary"], "Origin");

    let preflight = http
        .request(reqwest::Method::OPTIONS, url(&cdn, "b", "big.bin"))
        .header("Origin", "http://page.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
    assert!(preflight.headers().get("access-control-allow-methods").is_none());

    // A page of the CDN itself, reached at a LAN address (location a's /www/), reading location b.
    let port_a = cdn.locations()[0].1.port();
    let port_b = cdn.locations()[1].1.port();
    let own = raw(
        &cdn,
        "b",
        &format!(
            "GET /big.bin HTTP/1.1\r\nHost: 192.168.1.5:{port_b}\r\nOrigin: http://192.168.1.5:{port_a}\r\nRange: bytes=0-0\r\nConnection: close\r\n\r\n"
        ),
    )
    .await
    .to_ascii_lowercase();
    assert!(own.contains(&format!("access-control-allow-origin: http://192.168.1.5:{port_a}")), "{own}");
    let other = raw(
        &cdn,
        "b",
        &format!(
            "GET /big.bin HTTP/1.1\r\nHost: 192.168.1.5:{port_b}\r\nOrigin: http://192.168.1.5:1\r\nRange: bytes=0-0\r\nConnection: close\r\n\r\n"
        ),
    )
    .await
    .to_ascii_lowercase();
    assert!(!other.contains("access-control-allow-origin"), "{other}");
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_out_of_the_folder_are_refused() {
    let folder = Folder::new("traversal");
    #[cfg(unix)]
    std::os::unix::fs::symlink(folder.tmp.0.join("secret.txt"), folder.dash().join("link.txt")).unwrap();
    let cdn = start(folder.config()).await;
    let attempts = [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/..%2F..%2Fsecret.txt",
        "/..%5Csecret.txt",
        "/link.txt",
    ];
    for path in attempts {
        if path == "/link.txt" && cfg!(not(unix)) {
            continue;
        }
        let answer =
            raw(&cdn, "a", &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).await;
        let status = answer.get(9..12).unwrap_or("");
        assert!(status == "403" || status == "404", "{path}: {answer}");
        assert!(!answer.contains("secret\n") && !answer.ends_with("secret"), "{path}: {answer}");
    }
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn www_pages_come_from_location_a_only() {
    let folder = Folder::new("www");
    let www = folder.tmp.0.join("www");
    std::fs::create_dir_all(&www).unwrap();
    write(&www, "index.html", "<html>player</html>");
    write(&www, "app.js", "play()");
    let cdn = start(ServeConfig { www: Some(www), ..folder.config() }).await;
    let http = client(T);
    let page = http.get(url(&cdn, "a", "www/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.text().await.unwrap(), "<html>player</html>");
    let script = http.get(url(&cdn, "a", "www/app.js")).send().await.unwrap();
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    let escape =
        raw(&cdn, "a", "GET /www/../dash/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(escape.starts_with("HTTP/1.1 403"), "{escape}");
    // Pages do not start the session's clock.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(cdn.requests().iter().all(|r| r.at == Duration::ZERO));
    // Other locations have no pages (there, /www/ is a path of the DASH folder).
    assert_eq!(http.get(url(&cdn, "b", "www/")).send().await.unwrap().status(), 404);
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_refuses_what_cannot_be_served() {
    let folder = Folder::new("refuse");
    std::fs::remove_file(folder.dash().join("manifest.mpd")).unwrap();
    let error = flick_serve::TestCdn::start(folder.config()).await.err().expect("no MPD: an error");
    assert!(error.to_string().contains("no .mpd"), "{error}");
    write(&folder.dash(), "manifest.mpd", "<html/>");
    let error = flick_serve::TestCdn::start(folder.config()).await.err().expect("not an MPD: an error");
    assert!(error.to_string().contains("MPD"), "{error}");
    write(&folder.dash(), "manifest.mpd", crate::MPD);
    let error = flick_serve::TestCdn::start(ServeConfig { cdns: 0, ..folder.config() }).await.err();
    assert!(error.expect("no CDN: an error").to_string().contains("between 1 and 26"));
    // A fixed port already taken.
    let cdn = start(folder.config()).await;
    let taken = cdn.locations()[1].1.port();
    let config = ServeConfig { base_port: Some(taken), cdns: 1, ..folder.config() };
    let error = flick_serve::TestCdn::start(config).await.err().expect("a taken port: an error");
    assert!(error.to_string().contains("cannot listen"), "{error}");
    cdn.shutdown().await;
}
