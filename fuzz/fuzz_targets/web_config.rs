//! libFuzzer entry of the `web_config` target: [`flick_fuzz::web_config`] on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flick_fuzz::web_config(data));
