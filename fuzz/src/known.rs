//! Open bugs the targets step around, so that a campaign looks for new ones instead of finding
//! these again at every run. Each has an ignored regression test in the crate it belongs to
//! (`player/tests/fuzz_regressions.rs`) and its crash input in `regressions/TARGET/`; when it is
//! fixed, delete its entry here and un-ignore the tests.
//!
//! None is open: the six the first campaigns and the chaos soak found (a reload keeping the old
//! presentation's requests, a request cancelled twice on give-up, a Content-Length overflowing
//! `Bytes::bits`, a steering TTL of 1e20 s, a `maxBuffer` of 1e20 s, a trickling location held
//! for ever) are fixed, and their regression tests run.
