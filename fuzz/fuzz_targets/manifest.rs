//! libFuzzer entry of the `manifest` target: [`flick_fuzz::manifest`] on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flick_fuzz::manifest(data));
