//! `manifest::parse` must return (a presentation or a typed error) on any bytes, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("https://cdn.example/dir/manifest.mpd").unwrap();
    let _ = flick_player::manifest::parse(data, &url);
});
