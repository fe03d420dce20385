//! The rewritten MPD as a player sees it, on ffmpeg-made content, and the steering server.

use crate::{Folder, client, start, url};
use flick_player::presentation::{Presentation, Representation};
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, encode, ffmpeg_ready};
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

async fn presentation(cdn: &TestCdn) -> (String, Presentation) {
    let manifest_url = cdn.manifest_url();
    let response = client(T).get(&manifest_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let parsed = flick_player::manifest::parse(text.as_bytes(), &url::Url::parse(&manifest_url).unwrap())
        .unwrap_or_else(|e| panic!("the rewritten MPD parses: {e}\n{text}"));
    (text, parsed)
}

fn representations(p: &Presentation) -> impl Iterator<Item = &Representation> {
    p.periods.iter().flat_map(|period| period.tracks.iter()).flat_map(|t| t.representations.iter())
}

/// Every representation of `p` is served by every location, `a` first, and its init segment
/// and first media segment come back byte for byte from each.
async fn check_locations(cdn: &TestCdn, dir: &std::path::Path, p: &Presentation) {
    let ids: Vec<&str> = p.locations.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let http = client(T);
    for rep in representations(p) {
        assert_eq!(rep.base_urls.len(), 2, "{}", rep.id);
        for (base, (id, address)) in rep.base_urls.iter().zip(cdn.locations()) {
            assert_eq!(p.locations[base.location].id, id);
            assert_eq!(base.url.port(), Some(address.port()), "{}: {}", rep.id, base.url);
            assert_eq!(base.url.host_str(), Some("127.0.0.1"));
            let first = rep.segments.init().cloned().into_iter();
            let media = match &rep.segments {
                flick_player::presentation::SegmentIndex::Listed { segments, .. } => {
                    segments.get(0).map(|s| s.location)
                }
                _ => None,
            };
            for segment in first.chain(media) {
                let target = base.url.join(&segment.url).unwrap();
                let file = std::fs::read(dir.join(target.path().trim_start_matches('/'))).unwrap();
                let mut request = http.get(target.clone());
                let expected = match segment.range {
                    Some(r) => {
                        request = request.header("Range", format!("bytes={}-{}", r.start, r.end));
                        file[r.start as usize..=r.end as usize].to_vec()
                    }
                    None => file,
                };
                let response = request.send().await.unwrap();
                assert!(response.status().is_success(), "{target}: {}", response.status());
                assert_eq!(response.bytes().await.unwrap(), expected, "{target}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_template_mpd_names_both_locations() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("serve-template");
    encode(&dir.0, &["-use_template", "1", "-use_timeline", "0"]);
    let cdn = start(ServeConfig::new(dir.0.clone())).await;
    let (_, p) = presentation(&cdn).await;
    check_locations(&cdn, &dir.0, &p).await;
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_single_file_mpd_keeps_its_relative_base_urls() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("serve-single");
    encode(&dir.0, &["-use_template", "0", "-use_timeline", "0", "-single_file", "1"]);
    let cdn = start(ServeConfig::new(dir.0.clone())).await;
    let (text, p) = presentation(&cdn).await;
    assert!(text.matches("<BaseURL>").count() >= 4, "the representations' own BaseURLs stay:\n{text}");
    check_locations(&cdn, &dir.0, &p).await;
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steering_is_announced_served_everywhere_and_changeable() {
    let folder = Folder::new("steering");
    let cdn = start(ServeConfig { steering: true, cdns: 3, ..folder.config() }).await;
    let (text, p) = presentation(&cdn).await;
    let ids: Vec<&str> = p.locations.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let steering_url = url(&cdn, "a", "steering");
    assert!(
        text.contains(&format!(
            r#"<ContentSteering defaultServiceLocation="a" queryBeforeStart="false">{steering_url}</ContentSteering>"#
        )),
        "{text}"
    );
    assert!(!text.contains("cdn.example"), "{text}");
    let http = client(T);
    for id in ["a", "b", "c"] {
        let response = http.get(url(&cdn, id, "steering?_DASH_pathway=a")).send().await.unwrap();
        assert_eq!(response.headers()["content-type"], "application/json");
        let json: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(json["VERSION"], 1);
        assert_eq!(json["TTL"], 10);
        assert_eq!(json["SERVICE-LOCATION-PRIORITY"], serde_json::json!(["a", "b", "c"]));
    }
    let next = serde_json::json!({"VERSION": 1, "TTL": 2, "SERVICE-LOCATION-PRIORITY": ["b", "a"]});
    cdn.set_steering(next.clone());
    let body = http.get(&steering_url).send().await.unwrap().bytes().await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json, next);
    // Steering requests are logged but neither start the session nor count against faults.
    assert!(cdn.requests().iter().any(|r| r.path == "/steering" && r.status == Some(200)));
    cdn.shutdown().await;
}
