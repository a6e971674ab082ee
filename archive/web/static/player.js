// The asset page's player (archive/web/templates/_player.html, settings from archive/web/player.py).
// HLS by hls.js (vendor/hls.min.js, from npm), natively where the browser has HLS but no Media
// Source Extensions, else the MP4 proxy. SMPTE timecode from the master's start timecode and
// frame rate (drop-frame at 29.97/59.94 shown with ';'), frame steps, J/K/L shuttle, in/out
// points (kept in the URL: ?in=...&out=...), a start time (?t=seconds, from a search hit), quality and audio-track menus, storyboard
// thumbnails over the timeline, the waveform under it, markers. Images get a zoomable view.
(function () {
  "use strict";

  function fill(template, params) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (all, name) {
      return params && params[name] !== undefined ? String(params[name]) : all;
    });
  }

  // ---- SMPTE timecode (SMPTE ST 12-1), the same arithmetic as archive/media/timecode.py ----

  function Timecode(tl) {
    var parts = String((tl && tl.rate) || "25/1").split("/");
    this.num = Number(parts[0]) || 25;
    this.den = Number(parts[1]) || 1;
    this.fps = this.num / this.den;
    this.base = Math.max(1, Math.round(this.fps));
    var dropRate = (this.num === 30000 || this.num === 60000) && this.den === 1001;
    this.drop = Boolean(tl && tl.drop_frame) && dropRate;
    this.dropRate = dropRate;
    this.start = (tl && tl.start_frames) || 0;
    this.frames = (tl && tl.frames) || null;
  }

  Timecode.prototype.labelOfCount = function (count) {
    var base = this.base;
    if (this.drop) {
      var d = base / 15, perMinute = base * 60 - d, perTen = base * 600 - d * 9;
      var tens = Math.floor(count / perTen), rest = count % perTen;
      count += d * 9 * tens + (rest > d ? d * Math.floor((rest - d) / perMinute) : 0);
    }
    var ff = count % base, s = Math.floor(count / base);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(Math.floor(s / 3600) % 24) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60) +
      (this.drop ? ";" : ":") + two(ff);
  };

  // Frames from the master's first frame -> its timecode there.
  Timecode.prototype.label = function (frame) { return this.labelOfCount(this.start + Math.max(0, frame)); };

  // A timecode of the master -> frames from its first frame; null when it names no frame.
  Timecode.prototype.parse = function (text) {
    var m = /^(\d{2}):([0-5]\d):([0-5]\d)([:;])(\d{2})$/.exec(String(text || "").trim());
    if (!m) { return null; }
    var hh = +m[1], mm = +m[2], ss = +m[3], ff = +m[5], base = this.base;
    if (ff >= base) { return null; }
    var count = (hh * 3600 + mm * 60 + ss) * base + ff;
    if (m[4] === ";") {
      if (!this.dropRate) { return null; }
      var d = base / 15;
      if (ss === 0 && mm % 10 && ff < d) { return null; }
      var minutes = hh * 60 + mm;
      count -= d * (minutes - Math.floor(minutes / 10));
    }
    var frame = count - this.start;
    return frame >= 0 ? frame : null;
  };

  // The frame showing at an instant, one within half a millisecond before a frame counting as it:
  // the rule the server reads every position by (archive/markers/timeline.py, Timeline.frame_at).
  Timecode.prototype.frameAt = function (seconds) { return Math.max(0, Math.floor((seconds + 0.0005) * this.fps)); };
  // The middle of a frame: a seek there shows that very frame whatever the rounding.
  Timecode.prototype.timeOf = function (frame) { return (Math.max(0, frame) + 0.5) / this.fps; };

  // ---- the player ----------------------------------------------------------------------------

  function initPlayer(tool) {
    var cfg = JSON.parse(tool.dataset.player);
    var L = JSON.parse(tool.dataset.labels);
    var media = document.getElementById("player");
    var tc = new Timecode(cfg.timeline);
    var el = function (id) { return document.getElementById(id); };
    var timeline = el("timeline"), playhead = el("playhead"), note = el("player-note");
    var quality = el("quality"), audioMenu = el("audio-track"), playButton = el("play-pause");
    var hls = null;
    var state = { points: { in: null, out: null }, markers: [], cues: [], peaks: null, shuttle: 0 };
    window.ortakPlayer = { media: media, timecode: tc, state: state, hls: null };

    function duration() {
      if (isFinite(media.duration) && media.duration > 0) { return media.duration; }
      return tc.frames ? tc.frames / tc.fps : 0;
    }
    function lastFrame() { return Math.max(0, (tc.frames || Math.round(duration() * tc.fps)) - 1); }
    function currentFrame() { return Math.min(lastFrame(), tc.frameAt(media.currentTime || 0)); }
    function seekFrame(frame) {
      media.currentTime = Math.min(tc.timeOf(Math.max(0, Math.min(lastFrame(), frame))), duration() || 0);
    }

    // -- sources: hls.js, native HLS, or the MP4 proxy --
    function useProxy(message) {
      if (hls) { hls.destroy(); hls = null; window.ortakPlayer.hls = null; }
      tool.dataset.engine = "proxy";
      if (tool.dataset.proxy) { media.src = tool.dataset.proxy; }
      if (message) { note.textContent = message; }
      quality.disabled = true;
      audioMenu.disabled = true;
    }

    function languageName(code, fallback) {
      var primary = String(code || "").split("-")[0];
      if (cfg.languages[code]) { return cfg.languages[code]; }
      if (cfg.languages[primary]) { return cfg.languages[primary]; }
      try {
        var shown = new Intl.DisplayNames([document.documentElement.lang || "tr"], { type: "language" }).of(primary);
        if (shown && shown !== primary) { return shown; }
      } catch (e) { /* an unknown tag: the playlist's own name below */ }
      return fallback || code;
    }

    function fillQuality() {
      quality.textContent = "";
      var auto = document.createElement("option");
      auto.value = "-1";
      auto.textContent = L.auto;
      quality.appendChild(auto);
      hls.levels.map(function (level, i) { return { i: i, h: level.height, b: level.bitrate }; })
        .sort(function (a, b) { return b.h - a.h || b.b - a.b; })
        .forEach(function (level) {
          var o = document.createElement("option");
          o.value = String(level.i);
          o.textContent = level.h ? level.h + "p" : Math.round(level.b / 1000) + " kbit/s";
          quality.appendChild(o);
        });
      quality.value = "-1";
      quality.disabled = hls.levels.length < 2;
    }

    // A menu entry for each audio track, in the page's language: the language's name, with the
    // track's title when it has one ("Türkçe (Sesli betimleme)") or with "Track N" when another
    // track shares the language; an untagged track is its title, else "Track N". The tracks'
    // languages and titles are the page's (cfg.audio_tracks, in the master playlist's order):
    // the playlist's NAMEs are in the languages' own names, or English ("Audio 3").
    function audioLabels(tracks) {
      var known = cfg.audio_tracks && cfg.audio_tracks.length === tracks.length ? cfg.audio_tracks : null;
      var info = tracks.map(function (t, i) {
        var k = known ? known[i] : {};
        return { lang: (known ? k.lang : t.lang) || "", title: (k && k.title) || "" };
      });
      var count = {};
      info.forEach(function (t) { if (t.lang) { count[t.lang] = (count[t.lang] || 0) + 1; } });
      return info.map(function (t, i) {
        var number = fill(L.track, { n: i + 1 });
        if (!t.lang) { return t.title || number; }
        var name = languageName(t.lang, t.lang);
        if (t.title) { return name + " (" + t.title + ")"; }
        return count[t.lang] > 1 ? name + " (" + number + ")" : name;
      });
    }

    function fillAudio(tracks, current) {
      audioMenu.textContent = "";
      var names = audioLabels(tracks);
      tracks.forEach(function (t, i) {
        var o = document.createElement("option");
        o.value = String(i);
        o.textContent = names[i];
        if (t.lang) { o.lang = t.lang; }
        audioMenu.appendChild(o);
      });
      audioMenu.value = String(Math.max(0, current));
      audioMenu.disabled = tracks.length < 2;
      el("audio-choice").hidden = tracks.length < 2;  // nothing to choose: no menu
    }

    function audioSwitched(index, lang) {
      tool.dataset.audio = lang || "";
      tool.dataset.audioIndex = String(index);
      audioMenu.value = String(index);
      loadWaveform(index);
    }

    if (cfg.hls && window.Hls && window.Hls.isSupported()) {
      var Hls = window.Hls;
      // No worker: the page's CSP allows no blob: scripts, and fMP4 needs no transmuxing.
      // A ladder still being made is an EVENT playlist (live to hls.js): play it from the start.
      hls = new Hls(cfg.live ? { enableWorker: false, capLevelToPlayerSize: false, startPosition: 0 }
        : { enableWorker: false, capLevelToPlayerSize: false });
      window.ortakPlayer.hls = hls;
      tool.dataset.engine = "hls.js";
      hls.on(Hls.Events.MANIFEST_PARSED, fillQuality);
      hls.on(Hls.Events.LEVEL_SWITCHED, function (event, data) {
        var level = hls.levels[data.level];
        tool.dataset.level = level ? String(level.height) : "";
      });
      hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, function (event, data) { fillAudio(data.audioTracks, hls.audioTrack); });
      hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, function (event, data) {
        var t = hls.audioTracks[data.id];
        audioSwitched(data.id, t && t.lang);
      });
      hls.on(Hls.Events.ERROR, function (event, data) {
        if (data.fatal) { useProxy(L.hls_failed); }
      });
      if (cfg.live) {
        tool.dataset.live = "true";
        note.textContent = L.live;
        // The make is complete when the media playlist is ended (the VOD one replaced the EVENT one).
        hls.on(Hls.Events.LEVEL_LOADED, function (event, data) {
          if (tool.dataset.live === "true" && data.details && !data.details.live) {
            tool.dataset.live = "false";
            note.textContent = L.live_done;
          }
        });
      }
      hls.loadSource(cfg.hls);
      hls.attachMedia(media);
      quality.addEventListener("change", function () { hls.currentLevel = Number(quality.value); });
      audioMenu.addEventListener("change", function () { hls.audioTrack = Number(audioMenu.value); });
    } else if (cfg.hls && media.canPlayType("application/vnd.apple.mpegurl")) {
      tool.dataset.engine = "native";
      if (cfg.live) { note.textContent = L.live; }
      media.src = cfg.hls;
      // Safari lists the master playlist's alternate audio as the element's audio tracks.
      if (media.audioTracks) {
        var native = media.audioTracks;
        var refresh = function () {
          var list = [], current = 0;
          for (var i = 0; i < native.length; i++) {
            list.push({ lang: native[i].language, name: native[i].label });
            if (native[i].enabled) { current = i; }
          }
          fillAudio(list, current);
        };
        native.addEventListener("addtrack", refresh);
        audioMenu.addEventListener("change", function () {
          for (var i = 0; i < native.length; i++) { native[i].enabled = String(i) === audioMenu.value; }
          audioSwitched(Number(audioMenu.value), native[Number(audioMenu.value)].language);
        });
      }
    } else {
      useProxy(cfg.hls ? L.hls_failed : "");
    }

    // -- time display, playhead, play button --
    var shown = -1;
    function paint() {
      var frame = currentFrame();
      if (frame !== shown) {
        shown = frame;
        var label = tc.label(frame);
        el("timecode").textContent = label;
        timeline.setAttribute("aria-valuenow", String(frame));
        timeline.setAttribute("aria-valuetext", label);
        tool.dataset.frame = String(frame);
        if (!markerInTouched) { markerIn.value = label; }
      }
      var d = duration();
      playhead.style.left = (d ? Math.min(100, media.currentTime / d * 100) : 0) + "%";
      drawPicture();
    }
    function loop() {
      paint();
      if (!media.paused) { window.requestAnimationFrame(loop); }
    }
    media.addEventListener("play", function () {
      playButton.textContent = "❚❚";
      playButton.setAttribute("aria-label", L.pause);
      window.requestAnimationFrame(loop);
    });
    media.addEventListener("pause", function () {
      playButton.textContent = "▶︎";
      playButton.setAttribute("aria-label", L.play);
      paint();
    });
    ["timeupdate", "seeked", "loadedmetadata", "durationchange"].forEach(function (name) {
      media.addEventListener(name, function () {
        timeline.setAttribute("aria-valuemax", String(lastFrame()));
        paint();
        drawRange();
      });
    });
    // ?t=SECONDS (a search hit inside a segment links here): start there once the media is known.
    var startAt = parseFloat(new URLSearchParams(window.location.search).get("t"));
    if (isFinite(startAt) && startAt > 0) {
      var seekToStart = function () {
        media.removeEventListener("loadedmetadata", seekToStart);
        media.currentTime = Math.min(startAt, media.duration || startAt);
      };
      if (media.readyState >= 1) { seekToStart(); } else { media.addEventListener("loadedmetadata", seekToStart); }
    }

    // -- transport: play, frame steps, J/K/L --
    var reverseTimer = null;
    var RATES = [1, 2, 4, 8];
    function showShuttle() {
      var s = state.shuttle;
      el("shuttle").textContent = s > 1 ? fill(L.shuttle, { rate: s }) : s < 0 ? fill(L.reverse, { rate: -s }) : "";
    }
    function stopShuttle() {
      if (reverseTimer) { window.clearInterval(reverseTimer); reverseTimer = null; }
      state.shuttle = 0;
      media.playbackRate = 1;
      showShuttle();
    }
    function togglePlay() {
      stopShuttle();
      if (media.paused) { media.play(); } else { media.pause(); }
    }
    function step(frames) {
      stopShuttle();
      media.pause();
      seekFrame(currentFrame() + frames);
    }
    function forward() {
      if (state.shuttle < 0 || media.paused) {
        stopShuttle();
        state.shuttle = 1;
      } else {
        state.shuttle = RATES[Math.min(RATES.length - 1, RATES.indexOf(state.shuttle) + 1)] || 1;
      }
      media.playbackRate = state.shuttle;
      media.play();
      showShuttle();
    }
    // Browsers play no negative rates: backwards is a paused seek, 20 times a second.
    function backward() {
      var level = state.shuttle < 0 ? -state.shuttle : 0;
      stopShuttle();
      media.pause();
      level = level ? RATES[Math.min(RATES.length - 1, RATES.indexOf(level) + 1)] : 1;
      state.shuttle = -level;
      reverseTimer = window.setInterval(function () {
        var t = media.currentTime - 0.05 * level;
        if (t <= 0) { media.currentTime = 0; stopShuttle(); return; }
        media.currentTime = t;
      }, 50);
      showShuttle();
    }
    playButton.addEventListener("click", togglePlay);
    el("frame-back").addEventListener("click", function () { step(-1); });
    el("frame-forward").addEventListener("click", function () { step(1); });

    // -- in and out points: on the timeline, in the URL (for clips), in the marker form --
    var params = new URLSearchParams(window.location.search);
    state.points.in = tc.parse(params.get("in"));
    state.points.out = tc.parse(params.get("out"));
    function drawRange() {
      var range = el("range"), d = duration(), p = state.points;
      var text = [];
      if (p.in !== null) { text.push(L.in_point + " " + tc.label(p.in)); }
      if (p.out !== null) { text.push(L.out_point + " " + tc.label(p.out)); }
      el("points").textContent = text.join(" · ");
      if (!d || (p.in === null && p.out === null)) { range.hidden = true; return; }
      var a = p.in !== null ? p.in / tc.fps : 0;
      var b = p.out !== null ? p.out / tc.fps : d;
      range.hidden = false;
      range.style.left = (a / d * 100) + "%";
      range.style.width = (Math.max(0, b - a) / d * 100) + "%";
    }
    function keepPoints() {
      var url = new URL(window.location.href);
      ["in", "out"].forEach(function (k) {
        if (state.points[k] === null) { url.searchParams.delete(k); } else { url.searchParams.set(k, tc.label(state.points[k])); }
      });
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
      tool.dataset.in = state.points.in === null ? "" : tc.label(state.points.in);
      tool.dataset.out = state.points.out === null ? "" : tc.label(state.points.out);
      var exportLink = el("export-clip");
      if (exportLink) {  // the clip export page takes the marks
        var target = new URL(exportLink.href, window.location.href);
        ["in", "out"].forEach(function (k) {
          if (state.points[k] === null) { target.searchParams.delete(k); } else { target.searchParams.set(k, tc.label(state.points[k])); }
        });
        exportLink.href = target.pathname + target.search;
      }
      drawRange();
    }
    function setPoint(which) {
      var frame = currentFrame();
      state.points[which] = frame;
      if (state.points.in !== null && state.points.out !== null && state.points.out <= state.points.in) {
        state.points[which === "in" ? "out" : "in"] = null;
      }
      if (which === "in") { markerIn.value = tc.label(frame); markerInTouched = true; } else { markerOut.value = tc.label(frame); }
      keepPoints();
    }
    el("set-in").addEventListener("click", function () { setPoint("in"); });
    el("set-out").addEventListener("click", function () { setPoint("out"); });
    el("clear-points").addEventListener("click", function () {
      state.points.in = state.points.out = null;
      markerOut.value = "";
      keepPoints();
    });
    // A link may carry in/out points (a clip lookup's match): mark them, start at the in point.
    (function pointsFromUrl() {
      var url = new URL(window.location.href);
      ["in", "out"].forEach(function (k) {
        var frame = tc.parse(url.searchParams.get(k));
        if (frame !== null) { state.points[k] = frame; }
      });
      if (state.points.in === null) { return; }
      var start = function () { seekFrame(state.points.in); };
      if (media.readyState >= 1) { start(); } else { media.addEventListener("loadedmetadata", start, { once: true }); }
      keepPoints();
    }());

    // -- the timeline: seek by pointer or keys; storyboard tile on hover --
    function timeAtX(clientX) {
      var box = timeline.getBoundingClientRect();
      return Math.max(0, Math.min(1, (clientX - box.left) / box.width)) * duration();
    }
    timeline.addEventListener("click", function (e) { seekFrame(tc.frameAt(timeAtX(e.clientX))); });
    timeline.addEventListener("keydown", function (e) {
      var big = e.shiftKey ? tc.base : 1;
      var moves = { ArrowLeft: -big, ArrowRight: big, PageDown: -10 * tc.base, PageUp: 10 * tc.base };
      if (moves[e.key] !== undefined) { step(moves[e.key]); }
      else if (e.key === "Home") { step(-currentFrame()); }
      else if (e.key === "End") { step(lastFrame() - currentFrame()); }
      else { return; }
      e.preventDefault();
      e.stopPropagation();
      showTile(media.currentTime, null);
    });
    timeline.addEventListener("blur", hideTile);
    timeline.addEventListener("mousemove", function (e) { showTile(timeAtX(e.clientX), e.clientX); });
    timeline.addEventListener("mouseleave", hideTile);

    function parseVttTime(s) {
      var p = s.trim().split(":").map(Number);
      return p.length === 3 ? p[0] * 3600 + p[1] * 60 + p[2] : p[0] * 60 + p[1];
    }
    function loadStoryboard() {
      if (!cfg.storyboard) { return; }
      var base = new URL(cfg.storyboard, window.location.href);
      fetch(base.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (text) {
        text.split(/\r?\n\r?\n/).forEach(function (block) {
          var lines = block.split(/\r?\n/);
          for (var i = 0; i < lines.length; i++) {
            var m = /^\s*([\d:.]+)\s+-->\s+([\d:.]+)/.exec(lines[i]);
            var target = lines[i + 1] && /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)\s*$/.exec(lines[i + 1]);
            if (m && target) {
              state.cues.push({ start: parseVttTime(m[1]), end: parseVttTime(m[2]),
                                url: new URL(target[1], base).href, x: +target[2], y: +target[3], w: +target[4], h: +target[5] });
            }
          }
        });
        tool.dataset.storyboard = String(state.cues.length);
      }).catch(function () { /* no thumbnails: the timeline still seeks */ });
    }
    function hideTile() { el("thumb-tip").hidden = true; }
    function showTile(t, clientX) {
      var cue = null;
      for (var i = 0; i < state.cues.length; i++) {
        if (t >= state.cues[i].start && t < state.cues[i].end) { cue = state.cues[i]; break; }
      }
      if (!cue && state.cues.length && t >= state.cues[state.cues.length - 1].start) { cue = state.cues[state.cues.length - 1]; }
      var tip = el("thumb-tip"), thumb = el("thumb");
      el("thumb-tc").textContent = tc.label(tc.frameAt(t));
      if (cue) {
        thumb.style.width = cue.w + "px";
        thumb.style.height = cue.h + "px";
        thumb.style.backgroundImage = "url(\"" + cue.url.replace(/"/g, "%22") + "\")";
        thumb.style.backgroundPosition = (-cue.x) + "px " + (-cue.y) + "px";
        thumb.hidden = false;
      } else {
        thumb.hidden = true;
      }
      var box = timeline.getBoundingClientRect();
      var x = clientX === null ? (duration() ? t / duration() * box.width : 0) : clientX - box.left;
      tip.hidden = false;
      var half = (tip.offsetWidth || (cue ? cue.w : 80)) / 2;
      tip.style.left = Math.max(half, Math.min(box.width - half, x)) + "px";
      tip.dataset.cue = cue ? cue.url + "#" + cue.x + "," + cue.y : "";
    }

    // -- the waveform: BBC audiowaveform JSON, min/max pairs per pixel --
    function waveformUrl(index) {
      if (!cfg.waveform || !index) { return cfg.waveform; }
      return cfg.waveform.replace(/waveform\.json$/, "waveform_" + index + ".json");
    }
    var waveIndex = -1;
    function loadWaveform(index) {
      if (!cfg.waveform || index === waveIndex) { return; }
      waveIndex = index;
      fetch(waveformUrl(index), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : (index ? fetch(cfg.waveform, { credentials: "same-origin" }).then(function (r2) { return r2.ok ? r2.json() : null; }) : null); })
        .then(function (peaks) {
          if (!peaks || !Array.isArray(peaks.data)) { return; }
          state.peaks = peaks;
          tool.dataset.waveform = String(index);
          drawWave(el("waveform"), "#7fa7c9", null);
          picture = null;
          drawPicture();
        }).catch(function () { /* no waveform: nothing drawn */ });
    }
    function drawWave(canvas, colour, played) {
      if (!canvas || !state.peaks) { return; }
      var ratio = window.devicePixelRatio || 1;
      var w = Math.max(1, Math.round(canvas.clientWidth * ratio)), h = Math.max(1, Math.round(canvas.clientHeight * ratio));
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      var ctx = canvas.getContext("2d");
      var data = state.peaks.data, pairs = Math.floor(data.length / 2), channels = state.peaks.channels || 1;
      var scale = state.peaks.bits === 16 ? 32768 : 128, mid = h / 2;
      ctx.clearRect(0, 0, w, h);
      for (var x = 0; x < w; x++) {
        var a = Math.floor(x * pairs / w), b = Math.max(a + 1, Math.floor((x + 1) * pairs / w));
        var lo = 0, hi = 0;
        for (var i = a; i < b && i < pairs; i += channels) {
          lo = Math.min(lo, data[2 * i]);
          hi = Math.max(hi, data[2 * i + 1]);
        }
        ctx.fillStyle = played !== null && x / w < played ? "#e4b84d" : colour;
        ctx.fillRect(x, mid - hi / scale * mid, 1, Math.max(1, (hi - lo) / scale * mid));
      }
    }
    var picture = null;
    function drawPicture() {
      var canvas = el("waveform-picture");
      if (!canvas || !state.peaks) { return; }
      var d = duration(), played = d ? media.currentTime / d : 0;
      var step = Math.round(played * 400);
      if (picture === step) { return; }
      picture = step;
      drawWave(canvas, "#5f8fba", played);
    }
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(function () { drawWave(el("waveform"), "#7fa7c9", null); picture = null; drawPicture(); }, 150);
    });

    // -- markers: listed beside the player, ticks on the timeline, added here --
    var markerForm = el("marker-form"), markerIn = el("marker-in") || document.createElement("input");
    var markerOut = el("marker-out") || document.createElement("input"), markerText = el("marker-text");
    var markerInTouched = false;
    markerIn.addEventListener("input", function () { markerInTouched = true; });
    // Markers go through the pages' one API caller (api.js, loaded before this script on the
    // asset page; a share link's page has no markers and makes no call).
    var Api = window.OrtakApi;
    // The service's messages and the names of people in the page's language (messages.js; the
    // markers' section carries the table).
    var Messages = el("markers") && window.OrtakMessages ? window.OrtakMessages.from(el("markers")) : null;

    function renderMarkers() {
      var list = el("marker-list"), ticks = el("ticks"), d = duration();
      ticks.textContent = "";
      state.markers.forEach(function (m) {
        var tick = document.createElement("span");
        tick.className = "tick";
        tick.style.left = (d ? m.in_seconds / d * 100 : 0) + "%";
        tick.title = m.in + " " + m.text;
        ticks.appendChild(tick);
      });
      if (!list) { return; }
      list.textContent = "";
      if (!state.markers.length) {
        var none = document.createElement("li");
        none.className = "muted small";
        none.textContent = L.no_markers;
        list.appendChild(none);
      }
      state.markers.forEach(function (m) {
        var li = document.createElement("li");
        li.dataset.marker = String(m.id);
        var go = document.createElement("button");
        go.type = "button";
        go.className = "link mono marker-seek";
        go.textContent = m.out ? m.in + "–" + m.out : m.in;
        go.setAttribute("aria-label", fill(L.seek_to, { tc: m.in }) + ": " + m.text);
        go.addEventListener("click", function () {
          stopShuttle();
          seekFrame(Math.round(m.in_seconds * tc.fps));
          if (m.out !== null) {
            state.points.in = Math.round(m.in_seconds * tc.fps);
            state.points.out = Math.round(m.out_seconds * tc.fps);
            keepPoints();
          }
        });
        var text = document.createElement("span");
        text.className = "marker-text";
        text.textContent = m.text;
        var who = document.createElement("span");
        who.className = "muted small marker-author";
        who.textContent = m.author && Messages ? Messages.person(m.author) : "";
        li.appendChild(go);
        li.appendChild(text);
        li.appendChild(who);
        if (m.editable) {
          var del = document.createElement("button");
          del.type = "button";
          del.className = "link small marker-delete";
          del.textContent = L.delete;
          del.setAttribute("aria-label", L.delete + ": " + m.in);
          del.addEventListener("click", function () {
            Api.call("DELETE", cfg.markers + "/" + m.id)
              .then(function () { el("marker-status").textContent = L.marker_deleted; loadMarkers(); }, function () {});
          });
          li.appendChild(del);
        }
        list.appendChild(li);
      });
    }
    function loadMarkers() {
      if (!cfg.markers || !el("marker-list") || !Api) { return Promise.resolve(); }  // a share link's page has none
      return Api.call("GET", cfg.markers)
        .then(function (doc) { state.markers = doc.markers; renderMarkers(); }, function () {});
    }
    // Why the API refused a marker, in the page's language: each entry of an invalid_marker
    // (an out-of-range field of a timecode by its params.reason, a point past the end, ...)
    // as messages.js says it, any other error by its code; the service's English sentence
    // where the table has no words for it.
    function markerRefusal(failure) {
      var err = failure.error || {};
      if (!Messages) { return failure.message; }
      if (err.code === "invalid_marker") {
        return Messages.fieldErrors(err).map(function (entry) { return Messages.fieldError(entry); }).join(" ");
      }
      return Messages.apiError(failure.status, err);
    }
    if (markerForm) {
      markerForm.addEventListener("submit", function (e) {
        e.preventDefault();
        var status = el("marker-status");
        var body = { in: markerIn.value.trim(), out: markerOut.value.trim() || null, text: markerText.value };
        Api.call("POST", cfg.markers, body).then(function () {
          status.textContent = L.marker_added;
          markerText.value = "";
          markerOut.value = "";
          markerInTouched = false;
          return loadMarkers();
        }, function (failure) {
          status.textContent = fill(L.marker_failed, { reason: markerRefusal(failure) });
        });
      });
    }

    // -- the keyboard --
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) { return; }
      var t = e.target;
      if (t.closest && t.closest("input, textarea, select, [contenteditable]")) { return; }
      var k = e.key;
      if (k === " ") {
        // The focused media element, a button or a summary answer Space themselves.
        if (t === media || (t.closest && t.closest("button, summary, a"))) { return; }
        togglePlay();
      } else if (k === "k" || k === "K") { stopShuttle(); media.pause(); }
      else if (k === "j" || k === "J") { backward(); }
      else if (k === "l" || k === "L") { forward(); }
      else if (k === ",") { step(-1); }
      else if (k === ".") { step(1); }
      else if (k === "i") { setPoint("in"); }
      else if (k === "o") { setPoint("out"); }
      else if (k === "I") { if (state.points.in !== null) { step(state.points.in - currentFrame()); } }
      else if (k === "O") { if (state.points.out !== null) { step(state.points.out - currentFrame()); } }
      else if (k === "m" || k === "M") {
        if (!markerText) { return; }
        media.pause();
        if (!markerInTouched) { markerIn.value = tc.label(currentFrame()); }
        markerText.focus();
      } else if (k === "?") { el("keys").open = !el("keys").open; }
      else { return; }
      e.preventDefault();
    });

    keepPoints();
    paint();
    loadStoryboard();
    loadWaveform(0);
    loadMarkers();
  }

  // ---- images: a zoomable view ----------------------------------------------------------------

  function initZoom(root) {
    var L = JSON.parse(root.dataset.labels);
    var frame = document.getElementById("zoom-frame"), img = document.getElementById("poster");
    var view = { scale: 1, x: 0, y: 0 };
    var MIN = 1, MAX = 8;
    function apply() {
      view.scale = Math.max(MIN, Math.min(MAX, view.scale));
      if (view.scale === 1) { view.x = view.y = 0; }
      var limitX = frame.clientWidth * (view.scale - 1) / 2, limitY = frame.clientHeight * (view.scale - 1) / 2;
      view.x = Math.max(-limitX, Math.min(limitX, view.x));
      view.y = Math.max(-limitY, Math.min(limitY, view.y));
      img.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.scale + ")";
      document.getElementById("zoom-level").textContent = zoomText(view.scale);
      root.dataset.scale = String(view.scale);
    }
    // The scale as a percentage in the page's language ("%150" in Turkish): the browser's Intl
    // (a share link's page carries no message catalogue); digits and a sign if it has none.
    function zoomText(scale) {
      try {
        return new Intl.NumberFormat(document.documentElement.lang || "tr",
                                     { style: "percent", maximumFractionDigits: 0 }).format(scale);
      } catch (e) { return Math.round(scale * 100) + "%"; }
    }
    function zoom(factor) { view.scale *= factor; apply(); }
    document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.5); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.5); });
    document.getElementById("zoom-reset").addEventListener("click", function () { view.scale = 1; apply(); });
    frame.addEventListener("wheel", function (e) { e.preventDefault(); zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2); }, { passive: false });
    var drag = null;
    frame.addEventListener("pointerdown", function (e) {
      drag = { x: e.clientX - view.x, y: e.clientY - view.y };
      frame.setPointerCapture(e.pointerId);
    });
    frame.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      view.x = e.clientX - drag.x;
      view.y = e.clientY - drag.y;
      apply();
    });
    frame.addEventListener("pointerup", function () { drag = null; });
    frame.addEventListener("keydown", function (e) {
      var moves = { ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40] };
      if (e.key === "+" || e.key === "=") { zoom(1.5); }
      else if (e.key === "-") { zoom(1 / 1.5); }
      else if (e.key === "0") { view.scale = 1; apply(); }
      else if (moves[e.key]) { view.x += moves[e.key][0]; view.y += moves[e.key][1]; apply(); }
      else { return; }
      e.preventDefault();
    });
    frame.title = L.zoom_in;
    apply();
  }

  window.OrtakTimecode = Timecode;  // the tests compare it with archive/media/timecode.py
  var tool = document.getElementById("player-tool");
  if (tool) { initPlayer(tool); }
  var zoomView = document.getElementById("zoom-view");
  if (zoomView) { initZoom(zoomView); }
}());
