//! The player's side of content steering: send the steering client's requests and hand it the
//! answers (the client itself is [`crate::failover::steering`]).

use super::Player;
use crate::failover::steering::add_clone;
use crate::io::RequestKind;
use crate::presentation::SegmentRef;

impl Player {
    /// Ask the steering server if it is time.
    pub(super) fn poll_steering(&mut self) {
        let pathway = self.metrics.last_media_location.clone();
        let throughput = self.estimator.estimate().map(|t| t.bps());
        let now = self.now;
        let Some(steering) = self.failover.steering_mut() else { return };
        let Some(url) = steering.due(now, pathway.as_deref(), throughput) else { return };
        let resource = SegmentRef { url: url.clone(), range: None };
        self.send(RequestKind::Steering, None, 0, None, None, url, &resource);
    }

    /// The steering server answered.
    pub(super) fn on_steering_answer(&mut self, body: &[u8]) {
        let now = self.now;
        let Some(steering) = self.failover.steering_mut() else { return };
        let clones = steering.answered(body, now);
        for clone in clones {
            let (Some(presentation), Some(steering)) =
                (self.presentation.as_mut(), self.failover.steering_mut())
            else {
                return;
            };
            let presentation = std::sync::Arc::make_mut(presentation);
            if let Some(index) = add_clone(presentation, steering, &clone) {
                self.failover.add_location(index + 1);
            }
        }
    }

    /// The steering server could not be reached.
    pub(super) fn on_steering_failed(&mut self) {
        let now = self.now;
        if let Some(steering) = self.failover.steering_mut() {
            steering.failed(now);
        }
    }
}
