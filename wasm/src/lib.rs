//! Flick in the browser.
//!
//! For now this crate only proves that the player core (`flick-player`) and the ABR algorithms
//! (`flick-abr`) compile for `wasm32-unknown-unknown`: `cargo xtask test` builds it with
//! `cargo build -p flick-wasm --target wasm32-unknown-unknown`. The fetch + Media Source Extensions
//! driver and the JavaScript API (`new flick.Player(videoElement).load(url)`) come later, with
//! `wasm-bindgen`.
//!
//! ```
//! assert_eq!(flick_wasm::core_version(), env!("CARGO_PKG_VERSION"));
//! assert!(flick_wasm::abr_names().contains(&"bola"));
//! ```

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
