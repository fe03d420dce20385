//! A custom ABR algorithm written in JavaScript (`player.setAbr((decision) => rungIndex)`), run by
//! the core through the same [`Abr`] trait as Flick's own algorithms.
//!
//! The function gets one plain object per segment (see [`decision_json`]) and returns a rung
//! index; a value that is not a whole number in range, or an exception, falls back to the
//! previous rung (the lowest for the first segment) and is reported once on the console. The
//! function runs inside the core's decision: it must not call the player back.
//!
//! [`Abr`] requires `Send` while JavaScript functions are not; the algorithm therefore holds only
//! a key into a registry local to the (single) browser thread.

use flick_abr::{Abr, Decision, DecisionContext};
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

thread_local! {
    static FUNCTIONS: RefCell<HashMap<u32, js_sys::Function>> = RefCell::new(HashMap::new());
    static NEXT_KEY: Cell<u32> = const { Cell::new(0) };
}

/// An [`Abr`] that asks a JavaScript function. Dropping it forgets the function.
pub struct JsAbr {
    key: u32,
    warned: bool,
}

impl JsAbr {
    /// An algorithm calling `function` for each segment.
    pub fn new(function: js_sys::Function) -> JsAbr {
        let key = NEXT_KEY.with(|next| {
            let key = next.get();
            next.set(key.wrapping_add(1));
            key
        });
        FUNCTIONS.with(|f| f.borrow_mut().insert(key, function));
        JsAbr { key, warned: false }
    }

    fn ask(&mut self, ctx: &DecisionContext<'_>) -> usize {
        let fallback = ctx.last_rung.unwrap_or(0).min(ctx.top_rung());
        let function = FUNCTIONS.with(|f| f.borrow().get(&self.key).cloned());
        let Some(function) = function else { return fallback };
        let argument = js_sys::JSON::parse(&decision_json(ctx).to_string()).unwrap_or_default();
        let answer = function.call1(&wasm_bindgen::JsValue::NULL, &argument);
        match answer.map(|v| v.as_f64()) {
            Ok(Some(rung)) => match checked_rung(rung, ctx.rungs.len()) {
                Some(rung) => rung,
                None => {
                    self.warn(&format!(
                        "the ABR function returned {rung}, not a rung from 0 to {}",
                        ctx.top_rung()
                    ));
                    fallback
                }
            },
            Ok(None) => {
                self.warn("the ABR function returned something other than a number");
                fallback
            }
            Err(e) => {
                self.warn(&format!("the ABR function threw: {}", crate::error::describe(&e)));
                fallback
            }
        }
    }

    fn warn(&mut self, message: &str) {
        if !self.warned {
            self.warned = true;
            web_sys::console::warn_1(&format!("flick: {message}; keeping the previous rung").into());
        }
    }
}

impl Drop for JsAbr {
    fn drop(&mut self) {
        FUNCTIONS.with(|f| f.borrow_mut().remove(&self.key));
    }
}

impl Abr for JsAbr {
    fn name(&self) -> &'static str {
        "js"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        self.ask(ctx)
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        Decision::rung(self.ask(ctx))
    }
}

/// `rung` as an index below `rungs`, if it is one.
pub fn checked_rung(rung: f64, rungs: usize) -> Option<usize> {
    (rung.fract() == 0.0 && rung >= 0.0 && rung < rungs as f64).then_some(rung as usize)
}

/// What the JavaScript function is shown: times in seconds, rates in kbit/s.
///
/// `{segment, segmentCount, segmentDuration, buffer, maxBuffer, rungsKbps, throughputKbps,
/// latency, lastRung, now, recent: [{kbps, seconds, rung}]}`.
pub fn decision_json(ctx: &DecisionContext<'_>) -> Value {
    let recent: Vec<Value> = ctx
        .throughput
        .samples
        .iter()
        .map(|s| {
            json!({
                "kbps": s.body_throughput().map(|b| b.kbps()),
                "seconds": s.total.as_secs_f64(),
                "rung": s.rung,
            })
        })
        .collect();
    json!({
        "segment": ctx.segment,
        "segmentCount": ctx.segment_count,
        "segmentDuration": ctx.segment_duration.as_secs_f64(),
        "buffer": ctx.buffer_level.as_secs_f64(),
        "maxBuffer": ctx.max_buffer.as_secs_f64(),
        "rungsKbps": ctx.rungs.iter().map(|r| r.kbps()).collect::<Vec<_>>(),
        "throughputKbps": ctx.throughput.estimate.map(|b| b.kbps()),
        "latency": ctx.throughput.latency.map(|d| d.as_secs_f64()),
        "lastRung": ctx.last_rung,
        "now": ctx.now.as_secs_f64(),
        "recent": recent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flick_abr::units::Bitrate;
    use flick_abr::{ThroughputView, UnknownSizes};
    use std::time::Duration;

    #[test]
    fn rungs_must_be_whole_and_in_range() {
        assert_eq!(checked_rung(2.0, 3), Some(2));
        assert_eq!(checked_rung(3.0, 3), None);
        assert_eq!(checked_rung(-1.0, 3), None);
        assert_eq!(checked_rung(1.5, 3), None);
        assert_eq!(checked_rung(f64::NAN, 3), None);
    }

    #[test]
    fn the_decision_object_uses_seconds_and_kbps() {
        let rungs = [Bitrate::from_kbps(400), Bitrate::from_kbps(1200)];
        let ctx = DecisionContext {
            now: Duration::from_secs(3),
            rungs: &rungs,
            sizes: &UnknownSizes,
            segment: 4,
            segment_count: 30,
            segment_duration: Duration::from_secs(2),
            buffer_level: Duration::from_millis(6500),
            max_buffer: Duration::from_secs(30),
            throughput: ThroughputView {
                estimate: Some(Bitrate::from_kbps(3000)),
                latency: None,
                samples: &[],
            },
            last_rung: Some(1),
            last_seek_segment: 0,
            abandoned_rung: None,
        };
        let v = decision_json(&ctx);
        assert_eq!(v["buffer"], 6.5);
        assert_eq!(v["rungsKbps"], json!([400.0, 1200.0]));
        assert_eq!(v["throughputKbps"], 3000.0);
        assert_eq!(v["lastRung"], 1);
    }
}
