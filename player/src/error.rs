//! Errors that end a session.

use crate::io::FetchError;
use crate::manifest::ManifestError;
use crate::segment_index::IndexError;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Why a session failed, as reported in [`crate::io::PlayerEvent::Error`] and session reports.
///
/// It keeps the typed cause ([`ManifestError`], [`IndexError`], the last [`FetchError`]);
/// [`PlayerError::kind`] gives the short code reports and the JavaScript API use, and it
/// serialises as `{"kind": ..., "message": ...}`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlayerError {
    /// The manifest could not be parsed.
    #[error("manifest: {0}")]
    Manifest(#[from] ManifestError),
    /// The manifest parsed, but what it describes cannot be played (no period, no video or audio
    /// track, a track without segments, a URL that does not resolve).
    #[error("manifest: {0}")]
    Unplayable(String),
    /// A representation's segment index could not be parsed.
    #[error("segment index of representation {representation}: {error}")]
    SegmentIndex {
        /// The representation's `@id`.
        representation: String,
        /// What is wrong with the index.
        #[source]
        error: IndexError,
    },
    /// A request kept failing on every location for longer than the configured limit.
    #[error("all locations failed: {what}{}", last.as_ref().map(|e| format!(": last error {e:?}")).unwrap_or_default())]
    AllLocationsFailed {
        /// What was asked for (the manifest, a segment of a track, ...).
        what: String,
        /// How the last attempt failed.
        last: Option<FetchError>,
    },
    /// The input is not usable (bad URL, bad command).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl PlayerError {
    /// The short machine-readable kind, as the session report's `error.kind` spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            PlayerError::Manifest(_) | PlayerError::Unplayable(_) => "manifest",
            PlayerError::SegmentIndex { .. } => "segment_index",
            PlayerError::AllLocationsFailed { .. } => "all_locations_failed",
            PlayerError::InvalidInput(_) => "invalid_input",
        }
    }
}

impl Serialize for PlayerError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut error = serializer.serialize_struct("PlayerError", 2)?;
        error.serialize_field("kind", self.kind())?;
        error.serialize_field("message", &self.to_string())?;
        error.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_cause_and_serialise_as_kind_and_message() {
        let error = PlayerError::from(ManifestError::NoPeriods);
        assert!(matches!(error, PlayerError::Manifest(ManifestError::NoPeriods)));
        assert_eq!(error.kind(), "manifest");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "manifest");
        assert_eq!(json["message"], "manifest: the MPD has no Period");
        let failed =
            PlayerError::AllLocationsFailed { what: "manifest".into(), last: Some(FetchError::Reset) };
        assert_eq!(failed.to_string(), "all locations failed: manifest: last error Reset");
        assert_eq!(failed.kind(), "all_locations_failed");
        assert!(std::error::Error::source(&error).is_some(), "the typed cause is the source");
    }
}
