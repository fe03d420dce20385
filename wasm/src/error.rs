//! Errors as JavaScript sees them: `Error` objects with a machine-readable `code` beside the
//! `message`, so pages can branch on `e.code` (`all_locations_failed`, `manifest`, ...).

use flick_player::PlayerError;
use wasm_bindgen::{JsCast, JsValue};

/// Codes of errors raised by the web driver itself (the core's own codes are
/// [`PlayerError::kind`]).
pub mod codes {
    /// The configuration object could not be read.
    pub const CONFIG: &str = "config";
    /// An ABR algorithm name is unknown.
    pub const UNKNOWN_ABR: &str = "unknown_abr";
    /// The browser lacks something the driver needs (MediaSource, fetch, a codec).
    pub const UNSUPPORTED: &str = "unsupported";
    /// The media pipeline rejected data (a `SourceBuffer` error).
    pub const MEDIA: &str = "media";
    /// The call is not possible now (no stream loaded, the player destroyed, a re-entrant call).
    pub const INVALID_STATE: &str = "invalid_state";
    /// An argument has the wrong type or value.
    pub const INVALID_ARGUMENT: &str = "invalid_argument";
}

/// A JavaScript `Error` with `message` and a `code` property.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}

/// The JavaScript error for a core error.
pub fn player_error(error: &PlayerError) -> JsValue {
    js_error(error.kind(), &error.to_string())
}

/// A short description of a thrown JavaScript value (an `Error`'s message, or its string form).
pub fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
