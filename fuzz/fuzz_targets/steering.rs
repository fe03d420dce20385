//! libFuzzer entry of the `steering` target: [`flick_fuzz::steering`] on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flick_fuzz::steering(data));
