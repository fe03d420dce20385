//! Flick for the browser.
