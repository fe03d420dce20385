//! Flick in the browser: the same `flick-player` core and `flick-abr` algorithms the simulator and
//! the native driver run, driven by the browser's `fetch` and Media Source Extensions.
//!
//! The crate has two halves:
//!
//! - the **web driver** ([`session`], [`fetch`], [`media`]): it does what the core's outputs ask
//!   (fetch with streamed bodies and an `AbortController` per request, one `SourceBuffer` per track
//!   with a queue around `updating`), and feeds back what the browser observes (download progress,
//!   the video element's position, buffered ranges and frame counters, the time from
//!   `performance.now()`). It holds no player logic: it mirrors `flick-native`'s session loop;
//! - the **JavaScript API** ([`api::Player`]), shaped like dash.js and Shaka Player:
//!
//! ```js
//! import init, { Player } from './flick.js';
//! await init();
//! const player = new Player(document.querySelector('video'), { abr: 'hedge' });
//! player.on('qualitychange', (e) => console.log(e.to, e.bitrateKbps));
//! await player.load('http://127.0.0.1:8000/manifest.mpd');
//! console.log(player.stats().mean_video_bitrate_kbps);
//! ```
//!
//! Outside the browser (native `cargo test`) only the pure helpers run; everything touching the
//! DOM needs `wasm32-unknown-unknown` and a page.
//!
//! ```
//! assert_eq!(flick_wasm::core_version(), env!("CARGO_PKG_VERSION"));
//! assert!(flick_wasm::abr_names().contains(&"bola"));
//! ```

#![warn(missing_docs)]

pub mod abr_js;
pub mod api;
pub mod config;
pub mod error;
pub mod events;
pub mod fetch;
pub mod media;
pub mod session;
mod typescript;

/// The version of Flick's core this build carries (all Flick crates share the workspace version).
pub fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The names of the ABR algorithms the browser build can run, in the order tables list them.
pub fn abr_names() -> Vec<&'static str> {
    flick_abr::names().to_vec()
}

/// Whether `name` is an ABR algorithm the core can build with its default parameters.
pub fn has_abr(name: &str) -> bool {
    flick_abr::by_name(name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_algorithm_can_be_built() {
        let names = abr_names();
        assert!(!names.is_empty());
        assert!(names.iter().all(|name| has_abr(name)));
        assert!(!has_abr("no-such-algorithm"));
    }

    #[test]
    fn the_version_is_the_workspace_version() {
        assert!(!core_version().is_empty());
        assert_eq!(core_version().split('.').count(), 3);
    }
}
