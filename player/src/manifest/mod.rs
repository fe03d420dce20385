//! MPD parsing: bytes to [`crate::presentation::Presentation`].

use crate::presentation::Presentation;
use url::Url;

/// Why a manifest could not be turned into a presentation.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ManifestError {
    /// The bytes are not a well-formed MPD.
    #[error("malformed MPD: {0}")]
    Malformed(String),
}

/// Parse MPD bytes fetched from `manifest_url` into a presentation.
pub fn parse(_bytes: &[u8], _manifest_url: &Url) -> Result<Presentation, ManifestError> {
    Err(ManifestError::Malformed("not implemented yet".into()))
}
