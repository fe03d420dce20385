//! Typed declarations added to the generated `flick.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Configuration of `new Player(video, config)` and `player.configure(config)`. */
export interface FlickConfig {
  /** ABR algorithm: 'hedge' (default; 'flick' is an alias), 'bola', 'robust-mpc', 'bba', 'throughput', ... */
  abr?: string;
  /** Most media buffered ahead, in seconds (default 30). */
  maxBuffer?: number;
  /** Media needed before playback starts, in seconds (default: one segment). */
  startThreshold?: number;
  /** Start playing as soon as enough is buffered (default true). */
  autoplay?: boolean;
  /** Rung of the first video segment (default: the ABR algorithm chooses). */
  initialQuality?: number;
  /** Live streams: media kept behind the position, in seconds (older media is removed; default 30). */
  liveBackBuffer?: number;
  /** Fields of the core's PlayerConfig, in its serde form. */
  core?: Record<string, unknown>;
}

/** What a custom ABR function (`player.setAbr`) is shown for each segment. */
export interface FlickDecision {
  segment: number;
  segmentCount: number;
  /** Seconds. */
  segmentDuration: number;
  /** Seconds of media buffered ahead. */
  buffer: number;
  maxBuffer: number;
  /** Each rung's bit rate, lowest first. */
  rungsKbps: number[];
  throughputKbps: number | null;
  /** Seconds to the first byte, estimated. */
  latency: number | null;
  lastRung: number | null;
  /** Session time, seconds. */
  now: number;
  recent: { kbps: number | null; seconds: number; rung: number }[];
}

/** Errors thrown or passed to 'error' listeners. */
export interface FlickError extends Error {
  /** 'all_locations_failed', 'manifest', 'segment_index', 'invalid_input', 'config', 'unknown_abr',
   *  'unsupported', 'media', 'invalid_state' or 'invalid_argument'. */
  code: string;
}

/** `player.status()`. */
export interface FlickStatus {
  state: 'idle' | 'loading' | 'buffering' | 'playing' | 'paused' | 'seeking' | 'ended' | 'failed';
  /** Seconds on the presentation timeline. */
  position: number;
  /** Seconds; null for a live stream (and when the MPD does not say). */
  duration: number | null;
  buffer: number;
  quality: number | null;
  bitrateKbps: number | null;
  throughputKbps: number | null;
  location: string | null;
  rungsKbps: number[];
  abr: string;
  /** Appends the browser refused for lack of room (each retried after removing played media). */
  quotaErrors: number;
  /** Where a live stream stands against its live edge; null for on-demand content. */
  live: FlickLiveStatus | null;
}

/** `player.status().live`: times in seconds on the presentation timeline. */
export interface FlickLiveStatus {
  /** How far the position is behind the live edge. */
  liveLatency: number;
  /** The latency aimed for (the configuration's, else the MPD's ServiceDescription, else
   *  @suggestedPresentationDelay, else 2.5 segments). */
  targetLatency: number;
  /** The DVR window: the oldest position still available... */
  seekableStart: number;
  /** ...and the live edge. */
  seekableEnd: number;
  /** Whether playback follows the live edge (false after a seek back into the window; goLive()). */
  following: boolean;
  /** Current playback rate (latency catch-up, 0.95 to 1.05 by default). */
  playbackRate: number;
  /** Where the wall clock comes from: 'utc_timing', 'date_header', 'device' or 'publish_time'. */
  clock: string;
  /** The MPD turned static: the stream ends at its end. */
  ended: boolean;
}

/** `player.on('liveedge', ...)`: playback started or stopped following the live edge. */
export interface FlickLiveEdgeEvent { type: 'liveedge'; following: boolean; targetLatency: number }
/** `player.on('playbackrate', ...)`: the core set the element's playbackRate (catch-up). */
export interface FlickPlaybackRateEvent { type: 'playbackrate'; rate: number }
/** `player.on('clocksync', ...)`: the server's clock was read; offsetMs is server minus device. */
export interface FlickClockSyncEvent {
  type: 'clocksync';
  source: 'utc_timing' | 'date_header' | 'direct' | 'publish_time';
  offsetMs: number;
}
/** `player.on('manifestupdate', ...)`: a live MPD was read again (dynamic false: it turned static). */
export interface FlickManifestUpdateEvent { type: 'manifestupdate'; dynamic: boolean; periods: number }
/** `player.on('streamevent', ...)`: an MPD EventStream event or an in-band emsg (SCTE-35 cues
 *  among them), reported once, as soon as it is known (before its presentation time). */
export interface FlickStreamEvent {
  type: 'streamevent';
  schemeIdUri: string;
  value: string | null;
  id: string | null;
  /** Seconds on the presentation timeline. */
  presentationTime: number;
  duration: number | null;
  /** The MPD event's text (or @messageData); base64 of an emsg payload. */
  message: string;
  /** Whether it came in a media segment (emsg) rather than from the MPD. */
  inBand: boolean;
}

/** `stats().live`: latency over a live session. */
export interface FlickLiveReport {
  target_latency_s: number;
  latency_mean_s: number;
  latency_p95_s: number;
  latency_end_s: number;
  time_to_target_s: number | null;
  /** Time played at a catch-up rate (not 1.0). */
  catch_up_s: number;
  /** Jumps to the target latency (too far behind to catch up by rate). */
  jumps: number;
  dvr_position_s: number | null;
  window_s: number | null;
  samples: number;
}

/** `player.stats()`: the session report, as `flick play --report` writes it. */
export interface FlickReport {
  driver: 'web';
  abr: string;
  startup_ms: number | null;
  played_s: number;
  rebuffer_s: number;
  stalls: { at_ms: number; duration_ms: number }[];
  mean_video_bitrate_kbps: number;
  switches: number;
  cdn_switches: number;
  qoe_lin: number;
  qoe_log: number;
  decoded_frames: number | null;
  dropped_frames: number | null;
  error: { kind: string; message: string } | null;
  segments: Record<string, unknown>[];
  /** Latency statistics of a live session (absent for on-demand content). */
  live?: FlickLiveReport;
  [key: string]: unknown;
}
"#;
