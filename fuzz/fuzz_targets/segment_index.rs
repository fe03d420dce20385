//! libFuzzer entry of the `segment_index` target: [`flick_fuzz::segment_index`] on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flick_fuzz::segment_index(data));
