//! # The buffer model
//!
//! How much media is buffered decides when to fetch, which rung the ABR algorithm can afford, how
//! long a request may wait, and when playback stalls. The model is in `player/src/player/buffer.rs`
//! (with the playback clock in `playback.rs` and the decoder's reports in `decoder.rs`).
//!
//! ## What the core counts
//!
//! Each selected track (video, audio) keeps its *appended end*: where, on the presentation
//! timeline, the media the core has appended for it ends. Each [`crate::Output::Append`] of a
//! media segment moves it to the end of that segment. A seek sets it to the target position; so
//! does the start of a presentation, at the first segment's start.
//!
//! The track's buffer level is its appended end minus the playback position. The scheduler
//! compares it with [`crate::PlayerConfig::max_buffer`], the ABR algorithm sees the video track's,
//! and the request timeouts scale with it ([CDN failover](crate::manual::_03_failover)).
//!
//! ## What playback may use
//!
//! Playback needs every track: the *playable end* is the least of the tracks' appended ends.
//! The playback clock never runs past it: [`crate::Player::position`] is capped there,
//! [`crate::Player::buffer_level`] and [`crate::status::PlayerStatus::buffer`] are the playable
//! end minus the position, and [`crate::status::PlayerStatus::buffered`] is the one range from
//! the position to the playable end. When the clock reaches the playable end, either every segment
//! of every track has arrived and the session is `Ended`, or playback has stalled (after the stall
//! check described in [What the core decides](crate::manual::_02_core_and_drivers)).
//!
//! Before playback starts, and after a stall or a seek, a track that is ahead of another whose
//! download is under way waits for it: playing needs the next segment of every track, not a
//! second segment of one of them.
//!
//! ## What the decoder holds
//!
//! The count says what the core handed over, not what a real decoder still holds: a browser may
//! evict media under memory pressure, and a decoder may drop data. A driver that renders reports,
//! for each track whose appends it has all processed (nothing queued, nothing being appended), the
//! time ranges its decoder holds ([`crate::Input::Buffered`]). Only a report made at that moment
//! can be compared with the count: one made while appends are still queued would show media as
//! missing that is only on its way.
//!
//! The core trusts the report over its count. It takes the media held contiguously from the
//! position (ranges less than 500 ms apart count as one, since decoders round segment edges to
//! frames and samples). If that ends more than 500 ms short of the appended end, the decoder has
//! lost media ahead of the position: the core cancels the track's media requests, moves its
//! appended end back to the start of the first segment the decoder does not hold in full (not
//! before the position), fetches again from that segment, and emits
//! [`crate::PlayerEvent::BufferEvicted`]. A report that the decoder holds more than was counted
//! changes nothing.
//!
//! ## Seeking
//!
//! A seek ([`crate::Input::Seek`], or a change of audio track) cancels every request, emits
//! [`crate::Output::Flush`] with the new position, sets every track's appended end to it and
//! restarts each track at the segment that covers it; the state is `Seeking` until enough is
//! buffered again. Refilling after a seek is not a stall.
