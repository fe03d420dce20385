// Flick's browser tests and head-to-head runs, the page side: reads a job from stdin,
//   {"args"?: [extra Chromium flags], "pages": [{"name", "url", "script", "seconds"?, "target"?, ...}]}
// opens every page at once in one headless Chromium, runs each page's script against the demo
// page's `window.flick`, and prints one JSON line: [{name, ok, failure?, ...observations}].
// It asserts nothing: the Rust test (tests/tests/browser.rs) judges the observations.
import { launch, mediaProbe, until, sleep, stdin } from './chromium.mjs';

const status = (page) => page.evaluate(() => {
  const v = document.querySelector('video');
  let s = null;
  let report = null;
  try { s = window.flick.player.status(); report = window.flick.player.stats(); } catch (e) { /* not loaded */ }
  return {
    status: s, report, probe: window.__probe.summary(), error: window.flick?.error ?? null,
    video: { currentTime: v.currentTime, paused: v.paused, ended: v.ended, width: v.videoWidth, duration: v.duration },
    events: (window.flick?.events ?? []).map((e) => e.type),
  };
});

// In the page: the live status and what a viewer sees of the latency (the wall clock against the
// availability start `ast`, in Unix seconds, and the element's position).
const liveSample = (ast) => {
  const v = document.querySelector('video');
  const live = window.flick.player.status().live;
  return { position: v.currentTime, elementRate: v.playbackRate, wallLatency: Date.now() / 1000 - ast - v.currentTime, live };
};

// In the page: the element's live side (duration as text: JSON has no Infinity) and the details
// of the live events.
const liveMedia = () => {
  const v = document.querySelector('video');
  const ranges = (r) => Array.from({ length: r.length }, (_, i) => [r.start(i), r.end(i)]);
  const kinds = ['liveedge', 'clocksync', 'manifestupdate', 'streamevent', 'playbackrate', 'bufferevicted'];
  return {
    isLive: window.flick.player.isLive(),
    duration: String(v.duration),
    seekable: ranges(v.seekable),
    buffered: ranges(v.buffered),
    liveEvents: window.flick.events.filter((e) => kinds.includes(e.type)),
  };
};

const started = (page) => until(page, () => window.flick?.error || (window.flick?.player && document.querySelector('video').currentTime > 1.5), null, 30, 'playback started');

const SCRIPTS = {
  // Play to the end of the stream.
  async end(page, job) {
    await until(page, () => window.flick?.error || document.querySelector('video').ended, null, job.seconds ?? 90, 'the end of the stream');
    await sleep(500);
    return status(page);
  },
  // Seek forward to `target` seconds and play on from there.
  async seek(page, job) {
    await started(page);
    await page.evaluate((t) => window.flick.player.seek(t), job.target);
    await until(page, (t) => document.querySelector('video').currentTime > t + 2, job.target, 30, `playback past ${job.target} + 2 s`);
    const after = await status(page);
    return { ...after, seekedTo: job.target };
  },
  // Pause for 2 s, then play again.
  async pause(page) {
    await started(page);
    await page.evaluate(() => window.flick.player.pause());
    await until(page, () => window.flick.player.status().state === 'paused', null, 10, 'the paused state');
    const before = await status(page);
    await sleep(2000);
    const during = await status(page);
    await page.evaluate(() => window.flick.player.play());
    await until(page, (t) => document.querySelector('video').currentTime > t + 1, during.video.currentTime, 20, 'playback after resuming');
    const after = await status(page);
    return { ...after, pausedAt: before.video.currentTime, pausedUntil: during.video.currentTime, pausedFlag: during.video.paused };
  },
  // Pin the lowest rung until the picture is at its size, then give the choice back.
  async quality(page) {
    await started(page);
    const widthBefore = (await status(page)).video.width;
    await page.evaluate(() => window.flick.player.setQuality(0));
    await until(page, () => document.querySelector('video').videoWidth === 160, null, 30, 'the picture at rung 0 (160 px wide)');
    const pinned = await status(page);
    await page.evaluate(() => window.flick.player.setQuality('auto'));
    await until(page, () => window.flick.player.status().quality > 0, null, 30, 'a higher rung after auto');
    const after = await status(page);
    return { ...after, widthBefore, pinnedWidth: pinned.video.width, pinnedQuality: pinned.status.quality };
  },
  // A custom ABR written in JavaScript: always the lowest rung.
  async custom_abr(page, job) {
    await until(page, () => window.flick?.ready, null, 20, 'the module');
    const seen = await page.evaluate(async (src) => {
      window.flick.player.destroy();
      const player = new window.flick.Player(document.querySelector('video'), { maxBuffer: 8 });
      window.flick.player = player;
      const decisions = [];
      window.__decisions = decisions;
      player.setAbr((d) => { decisions.push(d); return 0; });
      await player.load(src);
      return { first: decisions[0] ?? null };
    }, job.src);
    // Not `started`: the demo's own load() rejects late (its player was destroyed) and sets `error`.
    await until(page, () => document.querySelector('video').currentTime > 1.5 && window.__decisions.length >= 2, null, 30, 'playback with the JS ABR');
    const after = await status(page);
    const decisions = await page.evaluate(() => window.__decisions.length);
    return { ...after, firstDecision: seen.first, decisions };
  },
  // Typed errors: a bad configuration throws, a dead manifest rejects load().
  async errors(page, job) {
    await until(page, () => window.flick?.ready, null, 20, 'the module');
    return page.evaluate(async (dead) => {
      const video = document.querySelector('video');
      const caught = (f) => { try { f(); return null; } catch (e) { return { code: e.code, message: e.message }; } };
      const typo = caught(() => new window.flick.Player(video, { maxBufer: 3 }));
      const abr = caught(() => new window.flick.Player(video, {}).configure({ abr: 'nope' }));
      const quality = caught(() => new window.flick.Player(video, {}).setQuality('best'));
      const player = new window.flick.Player(video, { core: { give_up_after: { secs: 1, nanos: 0 } } });
      const events = [];
      player.on('error', (e) => events.push(e));
      let rejected = null;
      try { await player.load(dead); } catch (e) { rejected = { code: e.code, message: e.message, isError: e instanceof Error }; }
      return { typo, abr, quality, rejected, errorEvents: events.map((e) => e.code) };
    }, job.dead);
  },
  // Let any player's page (h2h/*.html) play for `seconds`; only the probe's view.
  async probe(page, job) {
    await sleep(job.seconds * 1000);
    return page.evaluate(() => ({
      probe: window.__probe.summary(),
      video: { currentTime: document.querySelector('video').currentTime },
      error: window.h2h?.error ?? null,
      report: window.h2h?.report?.() ?? null,
    }));
  },
  // A live stream: play `seconds` from the first frame (the latency sampled every second, the
  // wall-clock latency measured against the MPD's `ast`); then seek `nudge` seconds back (still
  // following the edge: the core catches up by playing faster), then `back` seconds into the DVR
  // window, and go live again.
  async live(page, job) {
    await until(page, () => window.flick?.error || window.__probe?.firstFrameAt != null, null, 30, 'the first frame');
    const samples = [];
    const from = Date.now();
    while (Date.now() - from < job.seconds * 1000) {
      await sleep(1000);
      samples.push(await page.evaluate(liveSample, job.ast));
    }
    const played = await status(page);
    const media = await page.evaluate(liveMedia);
    await page.evaluate((nudge) => window.flick.player.seek(document.querySelector('video').currentTime - nudge), job.nudge);
    // 1.2 s more latency than aimed for: 1.05 by the core's gain (a rate a little above 1 may be
    // on already, to catch up a few tenths of a second).
    await until(page, () => window.flick.player.status().live?.playbackRate > 1.02 && document.querySelector('video').playbackRate > 1.02,
      null, 10, 'a catch-up rate');
    const catchingUp = await page.evaluate(liveSample, job.ast);
    const position = catchingUp.position;
    await page.evaluate((t) => window.flick.player.seek(t), position - job.back);
    await until(page, (t) => {
      const s = window.flick.player.status();
      return s.live && !s.live.following && s.state === 'playing' && document.querySelector('video').currentTime > t + 1;
    }, position - job.back, 20, 'playback behind the live edge');
    const behind = await page.evaluate(liveSample, job.ast);
    await page.evaluate(() => window.flick.player.goLive());
    await until(page, () => {
      const s = window.flick.player.status();
      return s.live?.following && s.state === 'playing' && !document.querySelector('video').seeking;
    }, null, 20, 'playback back at the live edge');
    await sleep(2000);
    const back = await page.evaluate(liveSample, job.ast);
    return { ...played, ...media, samples, catchingUp, behind, back, eventsAfter: (await status(page)).events };
  },
  // A live stream whose MPD turns static: play to its end.
  async live_end(page, job) {
    await until(page, () => window.flick?.error || document.querySelector('video').ended, null, job.seconds, 'the end of the stream');
    await sleep(500);
    return { ...(await status(page)), ...(await page.evaluate(liveMedia)) };
  },
  // Play for `seconds` (failover scenarios).
  async watch(page, job) {
    await until(page, () => window.flick?.error || window.flick?.loaded, null, 20, 'the manifest');
    await sleep(job.seconds * 1000);
    return status(page);
  },
};

async function run(browser, job) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const console = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.push(m.text()); });
  let pageError;
  const failed = new Promise((_, reject) => { pageError = reject; });
  failed.catch(() => {});
  page.on('pageerror', (e) => { console.push(`page error: ${e.message}`); pageError(new Error(`page error: ${e.message}`)); });
  await page.addInitScript(mediaProbe);
  try {
    await page.goto(job.url);
    const script = SCRIPTS[job.script];
    if (!script) throw new Error(`unknown script ${job.script}`);
    const observed = await Promise.race([script(page, job), failed]);
    return { name: job.name, ok: true, ...observed, console: console.slice(0, 20) };
  } catch (e) {
    let observed = {};
    try { observed = await status(page); } catch (_) { /* the page is gone */ }
    return { name: job.name, ok: false, failure: e.message, ...observed, console: console.slice(0, 20) };
  } finally {
    await context.close();
  }
}

const job = JSON.parse(await stdin());
const browser = await launch(job.args ?? []);
try {
  // At most `concurrency` pages play at once (default: all of them).
  const results = new Array(job.pages.length);
  let next = 0;
  const worker = async () => {
    while (next < job.pages.length) {
      const i = next++;
      results[i] = await run(browser, job.pages[i]);
    }
  };
  const lanes = Math.max(1, Math.min(job.concurrency ?? job.pages.length, job.pages.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  process.stdout.write(JSON.stringify(results) + '\n');
} finally {
  await browser.close();
}
