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
  position: number;
  buffer: number;
  quality: number | null;
  bitrateKbps: number | null;
  throughputKbps: number | null;
  location: string | null;
  rungsKbps: number[];
  abr: string;
  /** Appends the browser refused for lack of room (each retried after removing played media). */
  quotaErrors: number;
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
  [key: string]: unknown;
}
"#;
