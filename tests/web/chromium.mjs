// Shared by the browser tests and the head-to-head harness: Debian's Chromium through
// playwright-core, and a probe of the page's <video> elements that measures what a viewer sees
// (first frame, stalls) independently of the player under test.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.FLICK_CHROMIUM ?? '/usr/bin/chromium';

export const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required',
  // Every page plays at once: none may be throttled as a background tab.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Launch Chromium with a fresh, empty profile (playwright makes a temporary one). */
export async function launch(extra = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS.concat(extra) });
}

/**
 * Installed before any page script: records, for every media element, the first frame shown,
 * and each stall (a 'waiting' after playback started, up to the next 'playing'), seeks excluded.
 */
export function mediaProbe() {
  const probe = { firstFrameAt: null, loadAt: performance.now(), stalls: [], stalledSince: null, seeking: false, waiting: 0, heights: [] };
  window.__probe = probe;
  const at = () => performance.now();
  document.addEventListener('seeking', () => { probe.seeking = true; }, true);
  document.addEventListener('seeked', () => { probe.seeking = false; }, true);
  document.addEventListener('waiting', (e) => {
    if (probe.firstFrameAt == null || probe.seeking || e.target.ended) return;
    probe.waiting += 1;
    if (probe.stalledSince == null) probe.stalledSince = at();
  }, true);
  document.addEventListener('playing', (e) => {
    if (probe.firstFrameAt == null) {
      probe.firstFrameAt = at();
      const video = e.target;
      if (video.requestVideoFrameCallback) {
        video.requestVideoFrameCallback((now) => { probe.firstFrameAt = Math.min(probe.firstFrameAt, now); });
      }
    }
    if (probe.stalledSince != null) {
      probe.stalls.push({ at: probe.stalledSince, seconds: (at() - probe.stalledSince) / 1000 });
      probe.stalledSince = null;
    }
  }, true);
  // The height of the picture shown, every 250 ms of actual playback (the played quality).
  setInterval(() => {
    const v = document.querySelector('video');
    if (v && !v.paused && !v.ended && v.readyState >= 3 && probe.firstFrameAt != null && probe.stalledSince == null) {
      probe.heights.push(v.videoHeight);
    }
  }, 250);
  probe.summary = () => {
    const open = probe.stalledSince == null ? [] : [{ at: probe.stalledSince, seconds: (at() - probe.stalledSince) / 1000 }];
    const stalls = probe.stalls.concat(open);
    return {
      firstFrameMs: probe.firstFrameAt == null ? null : probe.firstFrameAt - probe.loadAt,
      stalls: stalls.length,
      stallSeconds: stalls.reduce((s, x) => s + x.seconds, 0),
      heights: probe.heights.slice(),
    };
  };
}

/** Wait until `fn(arg)` is truthy in the page; a failsafe, not a measurement. */
export async function until(page, fn, arg, seconds, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout: seconds * 1000, polling: 100 });
  } catch (e) {
    throw new Error(`${what}: not within ${seconds} s`);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Read all of stdin. */
export async function stdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
