//! Making the core's requests with the browser's `fetch`: one task per [`FetchRequest`] with its
//! own `AbortController`, the body read chunk by chunk from its `ReadableStream`, every outcome
//! handed to the session, and failures mapped onto the core's [`FetchError`] kinds as
//! `flick-native` maps them.
//!
//! The tasks own no timing policy: the core decides when a silent or stalled request is given up
//! and says [`Output::Cancel`](flick_player::Output), and the session aborts the controller.
//!
//! Every response's `Date` header goes to the core ([`Input::ServerDate`]) when the browser lets
//! the page read it (same origin, or exposed by CORS): a live stream's clock falls back to it. A
//! `HEAD` request (a `http-head` clock) has no body: its `Date` and the end are all it reports.
//!
//! A browser tells less than a socket does: a refused or reset connection and a failed CORS check
//! are all the same `TypeError`, so every failure before the response is [`FetchError::Reset`],
//! and so is a body that errors (the core knows whether that cut it short of its length).

use flick_player::io::{Bytes, Method};
use flick_player::{Chunk, FetchError, FetchRequest, Input, RequestId};
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
    let answered_from = response.url();
    if response.redirected()
        && answered_from != request.url
        && !deliver(Input::Redirected { id, url: answered_from })
    {
        return;
    }
    let head = request.method == Method::Head;
    // A HEAD's Content-Length is the GET's: no body comes, and none is missing.
    let content_length = if head { None } else { content_length };
    if !deliver(Input::ResponseStarted { id, content_length }) {
        return;
    }
    // Null when the header is absent or hidden by CORS (it is not a safelisted response header).
    if let Some(date) = response.headers().get("date").ok().flatten()
        && !deliver(Input::ServerDate { id, date })
    {
        return;
    }
    let body = if head { None } else { response.body() };
    let Some(body) = body else {
        deliver(Input::Complete { id });
        return;
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    loop {
        let Ok(chunk) = JsFuture::from(reader.read()).await else {
            deliver(Input::Failed { id, error: FetchError::Reset });
            return;
        };
        let done =
            js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            deliver(Input::Complete { id });
            return;
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else { continue };
        let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() else { continue };
        let data = Bytes::from(bytes.to_vec());
        if !data.is_empty() && !deliver(Input::Data { id, chunk: Chunk::Bytes(data) }) {
            let _ = reader.cancel();
            return;
        }
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
    init.set_method(match request.method {
        Method::Get => "GET",
        Method::Head => "HEAD",
    });
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
