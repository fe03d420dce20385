// Flick's demo page: a <video>, controls, and a statistics panel with live graphs.
// Query parameters: src (MPD URL, loaded at once), abr, muted=1, maxBuffer and liveBackBuffer
// (seconds).
// A live stream shows LIVE (red while following the edge) with its latency, and a "Go live" button.
// Tests drive the page through `window.flick`: {player, events, loaded, error, Player, ready}.
import init, { Player } from './flick.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const video = $('video');
const state = { player: null, events: [], loaded: null, error: null, Player };
window.flick = state;

function log(text, cls) {
  const line = document.createElement('div');
  line.textContent = `${(performance.now() / 1000).toFixed(1).padStart(6)}  ${text}`;
  if (cls) line.className = cls;
  $('log').prepend(line);
}

const history = { bitrate: [], throughput: [], buffer: [] };
const HISTORY = 120;

function draw(id, values, unit) {
  const canvas = $(id);
  const g = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  g.clearRect(0, 0, w, h);
  const finite = values.filter((v) => v != null);
  const max = Math.max(1, ...finite) * 1.1;
  g.strokeStyle = '#4af';
  g.beginPath();
  let started = false;
  values.forEach((v, i) => {
    if (v == null) return;
    const x = (i / (HISTORY - 1)) * w;
    const y = h - (v / max) * (h - 14);
    if (started) g.lineTo(x, y); else g.moveTo(x, y);
    started = true;
  });
  g.stroke();
  g.fillStyle = '#ccc';
  g.font = '11px sans-serif';
  const last = finite.length ? finite[finite.length - 1] : null;
  const top = finite.length ? Math.max(...finite) : null;
  g.fillText(`${canvas.title}: ${last == null ? '–' : last.toFixed(unit === 's' ? 1 : 0)}${top == null ? '' : ` (max ${top.toFixed(unit === 's' ? 1 : 0)})`}`, 4, 11);
}

function panel(status, stats) {
  const live = status.live;
  const rows = [
    ['state', status.state],
    ['position', `${status.position.toFixed(1)} s`],
    ['buffer', `${status.buffer.toFixed(1)} s`],
    ['quality', status.quality == null ? '–' : `${status.quality} (${status.bitrateKbps} kbit/s)`],
    ['throughput', status.throughputKbps == null ? '–' : `${status.throughputKbps.toFixed(0)} kbit/s`],
    ['CDN location', status.location ?? '–'],
    ['ABR', status.abr],
    ['startup', stats.startup_ms == null ? '–' : `${stats.startup_ms.toFixed(0)} ms`],
    ['stalls', `${stats.stalls.length} (${stats.rebuffer_s.toFixed(1)} s)`],
    ['mean bit rate', `${stats.mean_video_bitrate_kbps.toFixed(0)} kbit/s`],
    ['CDN switches', stats.cdn_switches],
    ['frames', stats.decoded_frames == null ? '–' : `${stats.decoded_frames} (${stats.dropped_frames} dropped)`],
  ];
  if (live) {
    rows.splice(3, 0,
      ['live latency', `${live.liveLatency.toFixed(1)} s (target ${live.targetLatency.toFixed(1)} s)`],
      ['playback rate', live.playbackRate.toFixed(2)],
      ['DVR window', `${live.seekableStart.toFixed(0)} – ${live.seekableEnd.toFixed(0)} s`],
      ['clock', live.clock]);
  }
  $('panel').replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td></td>';
    tr.children[0].textContent = k;
    tr.children[1].textContent = v;
    return tr;
  }));
}

function refresh() {
  const player = state.player;
  if (!player) return;
  let status, stats;
  try {
    status = player.status();
    stats = player.stats();
  } catch (e) {
    return;
  }
  for (const [key, value] of [['bitrate', status.bitrateKbps], ['throughput', status.throughputKbps], ['buffer', status.buffer]]) {
    history[key].push(value);
    if (history[key].length > HISTORY) history[key].shift();
  }
  draw('bitrate', history.bitrate, 'kbps');
  draw('throughput', history.throughput, 'kbps');
  draw('buffer', history.buffer, 's');
  panel(status, stats);
  const seek = $('seek');
  const live = status.live;
  if (document.activeElement !== seek) {
    // Live: the slider spans the DVR window (the element's duration is infinite).
    seek.min = String(live ? live.seekableStart : 0);
    seek.max = String(live ? live.seekableEnd : (Number.isFinite(video.duration) && video.duration) || 100);
    seek.value = String(status.position);
  }
  const badge = $('live');
  badge.hidden = !live;
  $('golive').hidden = !live || live.following;
  if (live) {
    badge.textContent = `LIVE ${live.liveLatency.toFixed(1)} s`;
    badge.className = live.following ? 'following' : '';
    badge.title = live.following ? 'following the live edge' : 'behind the live edge';
  }
  const quality = $('quality');
  if (quality.options.length === 1 && status.rungsKbps.length) {
    status.rungsKbps.forEach((kbps, i) => quality.add(new Option(`${i}: ${kbps} kbit/s`, String(i))));
  }
}

async function load(src) {
  state.player?.destroy();
  state.events.length = 0;
  const config = { abr: $('abr').value || 'hedge' };
  if (params.has('maxBuffer')) config.maxBuffer = Number(params.get('maxBuffer'));
  if (params.has('liveBackBuffer')) config.liveBackBuffer = Number(params.get('liveBackBuffer'));
  const player = new Player(video, config);
  state.player = player;
  player.on('*', (detail) => {
    state.events.push({ at: performance.now(), ...detail });
    const { type, ...rest } = detail;
    if (type !== 'requestfailed' || state.events.filter((e) => e.type === 'requestfailed').length < 50) {
      log(`${type} ${JSON.stringify(rest)}`, type === 'error' ? 'error' : undefined);
    }
  });
  if (window.__probe) window.__probe.loadAt = performance.now();
  try {
    await player.load(src);
    state.loaded = true;
  } catch (e) {
    state.error = { code: e.code, message: e.message };
    log(`load failed: ${e.code}: ${e.message}`, 'error');
  }
}

await init();
state.ready = true;
for (const name of Player.abrNames()) $('abr').add(new Option(`abr: ${name}`, name));
$('abr').value = params.get('abr') ?? 'hedge';
video.muted = params.get('muted') === '1';
$('open').addEventListener('submit', (e) => { e.preventDefault(); load($('src').value); });
$('play').addEventListener('click', () => { video.muted = params.get('muted') === '1'; state.player?.play(); video.play().catch(() => {}); });
$('pause').addEventListener('click', () => state.player?.pause());
$('golive').addEventListener('click', () => state.player?.goLive());
$('seek').addEventListener('change', (e) => state.player?.seek(Number(e.target.value)));
$('quality').addEventListener('change', (e) => state.player?.setQuality(e.target.value === 'auto' ? 'auto' : Number(e.target.value)));
setInterval(refresh, 500);
if (params.has('src')) {
  $('src').value = params.get('src');
  load(params.get('src'));
}
