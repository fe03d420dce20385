// The live side of the head-to-head pages, on when the URL has `live` (`?src=MPD&live=1`); loaded
// by every page before its player, so that its own fetch of the MPD is the session's first DASH
// request (the test CDN's fault clock starts there: `t` below is on that clock, give or take the
// 40 ms of the link).
//
// From the MPD's text it reads availabilityStartTime, then samples every 250 ms from the first
// frame on: the latency to the live edge as a viewer sees it, `Date.now() − (availabilityStartTime
// + video.currentTime)` (ffmpeg's MPD has one Period starting at 0 and no presentationTimeOffset,
// so the element's time is the presentation time), and the player's own latency figure if it has
// one (registered by the page with `window.h2hLive.own(fn)`).
(() => {
  const params = new URLSearchParams(location.search);
  if (!params.has('live')) {
    window.h2hLive = null;
    return;
  }
  const zero = performance.now();
  const state = { ast: null, mpdError: null, samples: [], ownLatency: () => null };
  fetch(params.get('src'), { cache: 'no-store' })
    .then((response) => response.text())
    .then((text) => {
      const root = text.match(/<MPD\b[^>]*>/);
      const ast = root && root[0].match(/\savailabilityStartTime="([^"]+)"/);
      if (!ast) throw new Error('no availabilityStartTime in the MPD');
      state.ast = Date.parse(ast[1]) / 1000;
      if (Number.isNaN(state.ast)) throw new Error(`unreadable availabilityStartTime ${ast[1]}`);
    })
    .catch((e) => { state.mpdError = String(e); });
  const round = (x, digits) => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
  setInterval(() => {
    const video = document.querySelector('video');
    if (!video || state.ast == null || window.__probe.firstFrameAt == null) return;
    let own = null;
    try { own = state.ownLatency(); } catch (e) { /* not loaded yet */ }
    // [t since the session's start s, outside latency s, own latency s, currentTime s,
    //  playbackRate, readyState]
    state.samples.push([
      round((performance.now() - zero) / 1000, 3),
      round(Date.now() / 1000 - state.ast - video.currentTime, 3),
      round(own, 3),
      round(video.currentTime, 3),
      round(video.playbackRate, 3),
      video.readyState,
    ]);
  }, 250);
  window.h2hLive = {
    own(fn) { state.ownLatency = fn; },
    // What the harness reads (through the page's `window.h2h.report()`).
    summary: () => ({
      ast: state.ast,
      mpdError: state.mpdError,
      loadAtS: round((window.__probe.loadAt - zero) / 1000, 3),
      samples: state.samples,
    }),
  };
})();
