//! Stream events (MPD `EventStream`s and in-band `emsg` boxes), each reported once.

use super::{EVENTS_REMEMBERED, EventKey};
use crate::io::PlayerEvent;
use crate::player::Player;
use crate::presentation::{Presentation, StreamEvent};

impl Player {
    /// Report the MPD's events not reported yet.
    pub(in crate::player) fn report_mpd_events(&mut self, presentation: &Presentation) {
        for event in &presentation.events {
            self.report_event(event.clone());
        }
    }

    /// Report an event once.
    pub(in crate::player) fn report_event(&mut self, event: StreamEvent) {
        let key: EventKey =
            (event.scheme_id_uri.clone(), event.value.clone(), event.id.clone(), event.presentation_time);
        // In-band events are identified by scheme, value and id alone (they repeat in segments).
        let seen =
            |k: &EventKey| k.0 == key.0 && k.1 == key.1 && k.2 == key.2 && (event.in_band || k.3 == key.3);
        if self.seen_events.iter().any(seen) {
            return;
        }
        if self.seen_events.len() == EVENTS_REMEMBERED {
            self.seen_events.pop_front();
        }
        self.seen_events.push_back(key);
        self.emit(PlayerEvent::StreamEvent(event));
    }
}
