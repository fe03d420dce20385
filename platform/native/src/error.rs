//! Errors that keep a native session from starting.

/// Why a native session could not run. A session that starts and then fails (every location
/// dead, a broken manifest) is not an error here: it ends with a [`flick_player::SessionReport`]
/// whose `error` says why.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The ABR algorithm name (or its parameters) is not one Flick knows.
    #[error("ABR algorithm: {0}")]
    UnknownAbr(#[from] flick_abr::UnknownAlgorithm),
    /// The HTTP client could not be built (TLS set-up, for instance).
    #[error("building the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// The media pipeline could not be set up.
    #[error("media pipeline: {0}")]
    Media(#[from] crate::media::MediaError),
}
