//! Abandoning a download: the retry goes lower, so an algorithm that keeps asking for the top rung
//! and keeps abandoning it cannot hold the player in a loop.

use super::*;
use flick_abr::{Abr, Decision, DecisionContext, ProgressContext};

/// Always chooses the top rung, and abandons every download that has started arriving.
struct TopThenAbandon;

impl Abr for TopThenAbandon {
    fn name(&self) -> &'static str {
        "top-then-abandon"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        ctx.top_rung()
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        Decision::rung(ctx.top_rung())
    }

    fn check_abandon(&mut self, _progress: &ProgressContext<'_>) -> Option<usize> {
        Some(1)
    }
}

fn media_rungs(d: &Driver) -> Vec<(usize, usize)> {
    d.fetched
        .iter()
        .filter(|r| r.kind == crate::io::RequestKind::Media)
        .map(|r| {
            let (rest, segment) = r.url.trim_end_matches(".m4s").rsplit_once('/').unwrap();
            let rung = rest.rsplit('/').next().unwrap();
            (segment.parse().unwrap(), rung.trim_start_matches('r').parse().unwrap())
        })
        .collect()
}

#[test]
fn a_retry_after_an_abandonment_is_capped_below_the_abandoned_rung() {
    let mut d = Driver::with_abr(PlayerConfig::default(), Box::new(TopThenAbandon));
    d.input(Input::LoadPresentation { presentation: presentation(4, &["a"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended, "the session ends");
    let fetched = media_rungs(&d);
    for segment in 0..4 {
        let rungs: Vec<usize> = fetched.iter().filter(|(s, _)| *s == segment).map(|&(_, r)| r).collect();
        // Top (2), abandoned to the suggested 1, abandoned again: rung 0 is never abandoned.
        assert_eq!(rungs, vec![2, 1, 0], "segment {segment}");
    }
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    let abandoned =
        report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Abandoned).count();
    assert_eq!(abandoned, 8);
}

#[test]
fn without_lower_after_abandon_the_algorithms_new_choice_stands() {
    let config = PlayerConfig { lower_after_abandon: false, ..PlayerConfig::default() };
    let mut d = Driver::with_abr(config, Box::new(TopThenAbandon));
    d.input(Input::LoadPresentation { presentation: presentation(4, &["a"]) });
    d.run_until(Duration::from_secs(2));
    let fetched = media_rungs(&d);
    assert!(fetched.len() >= 3, "{fetched:?}");
    assert!(fetched.iter().all(|&f| f == (0, 2)), "segment 0 at the top rung again and again: {fetched:?}");
}
