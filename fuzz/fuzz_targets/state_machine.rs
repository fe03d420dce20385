//! libFuzzer entry of the `state_machine` target: [`flick_fuzz::state_machine`] on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flick_fuzz::state_machine(data));
