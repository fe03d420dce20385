//! `segments_from_sidx` must return (segments or a typed error) on any bytes, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first 16 bytes choose the index's offset in the file and the presentation time offset.
    let (head, sidx) = data.split_at(data.len().min(16));
    let mut words = [0u8; 16];
    words[..head.len()].copy_from_slice(head);
    let index_start = u64::from_be_bytes(words[..8].try_into().unwrap());
    let offset = u64::from_be_bytes(words[8..].try_into().unwrap());
    let _ = flick_player::segment_index::segments_from_sidx(sidx, index_start, "", offset);
    let _ = flick_player::segment_index::segments_from_sidx_scaled(sidx, index_start, "", offset, 90_000);
});
