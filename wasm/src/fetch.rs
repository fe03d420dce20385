//! Making the core's requests with the browser's `fetch`: one task per [`FetchRequest`] with its
//! own `AbortController`, the body read chunk by chunk from its `ReadableStream`, every outcome
//! handed to the session, and failures mapped onto the core's [`FetchError`] kinds as
//! `flick-native` maps them.
//!
//! The tasks own no timing policy: the core decides when a silent or stalled request is given up
//! and says [`Output::Cancel`](flick_player::Output), and the session aborts the controller.
//!
//! A browser tells less than a socket does: a refused or reset connection and a failed CORS check
//! are all the same `TypeError`, so every failure before the response is
//! [`FetchError::Reset`]; a body that errors or ends short of its `Content-Length` is
//! [`FetchError::Truncated`] (or `Reset` when no length was announced).

use flick_player::io::Bytes;
use flick_player::{FetchError, FetchRequest, Input, RequestId};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, Request, RequestInit, Response,
};

/// Where a request task reports: `deliver` returns false when the request is no longer wanted
/// (cancelled, or the session is gone), and the task then stops.
pub trait Sink {
    /// Hand one input about request `id` to the session.
    fn deliver(self: &std::rc::Rc<Self>, id: RequestId, input: Input) -> bool;
}

/// Start `request`; the returned controller aborts it.
pub fn start<S: Sink + 'static>(sink: std::rc::Weak<S>, request: FetchRequest) -> Option<AbortController> {
    let controller = AbortController::new().ok()?;
    let signal = controller.signal();
    wasm_bindgen_futures::spawn_local(async move {
        let id = request.id;
        let deliver = |input: Input| sink.upgrade().is_some_and(|s| s.deliver(id, input));
        run(request, signal, &deliver).await;
    });
    Some(controller)
}

/// Make one request and report on it until it ends or is no longer wanted.
async fn run(request: FetchRequest, signal: AbortSignal, deliver: &dyn Fn(Input) -> bool) {
    let id = request.id;
    let response = match send(&request, &signal).await {
        Ok(response) => response,
        Err(error) => {
            deliver(Input::Failed { id, error });
            return;
        }
    };
    if !response.ok() {
        deliver(Input::Failed { id, error: FetchError::Http(response.status()) });
        return;
    }
    let content_length =
        response.headers().get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok());
    if !deliver(Input::ResponseStarted { id, content_length }) {
        return;
    }
    let Some(body) = response.body() else {
        deliver(complete_or_short(id, 0, content_length));
        return;
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut received = 0u64;
    loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(result) => result,
            Err(_) => {
                let error = match content_length {
                    Some(_) => FetchError::Truncated,
                    None => FetchError::Reset,
                };
                deliver(Input::Failed { id, error });
                return;
            }
        };
        let done =
            js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            deliver(complete_or_short(id, received, content_length));
            return;
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else { continue };
        let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() else { continue };
        let data = Bytes::from(bytes.to_vec());
        let len = data.len() as u64;
        received += len;
        if len > 0 && !deliver(Input::Data { id, len, chunk: data }) {
            let _ = reader.cancel();
            return;
        }
    }
}

/// The end of a body: complete, or truncated when shorter than announced.
fn complete_or_short(id: RequestId, received: u64, content_length: Option<u64>) -> Input {
    match content_length {
        Some(length) if received < length => Input::Failed { id, error: FetchError::Truncated },
        _ => Input::Complete { id },
    }
}

/// Send the request and wait for the response headers.
async fn send(request: &FetchRequest, signal: &AbortSignal) -> Result<Response, FetchError> {
    let transport = |e: JsValue| FetchError::Transport(crate::error::describe(&e));
    let headers = Headers::new().map_err(transport)?;
    if let Some(range) = request.range {
        headers.set("Range", &format!("bytes={}-{}", range.start, range.end)).map_err(transport)?;
    }
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(transport)?;
    }
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_headers(&headers);
    init.set_signal(Some(signal));
    let web_request = Request::new_with_str_and_init(&request.url, &init).map_err(transport)?;
    let window = web_sys::window().ok_or_else(|| FetchError::Transport("no window".into()))?;
    match JsFuture::from(window.fetch_with_request(&web_request)).await {
        Ok(response) => response.dyn_into::<Response>().map_err(transport),
        // A refused or reset connection, or a CORS failure: the browser says only "TypeError".
        Err(_) => Err(FetchError::Reset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_short_of_its_length_is_truncated() {
        let id = RequestId(3);
        assert!(matches!(complete_or_short(id, 10, Some(10)), Input::Complete { .. }));
        assert!(matches!(complete_or_short(id, 10, None), Input::Complete { .. }));
        assert!(matches!(
            complete_or_short(id, 4, Some(10)),
            Input::Failed { error: FetchError::Truncated, .. }
        ));
    }
}
