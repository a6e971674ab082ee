// Reverse clip search page: post the dropped file to the lookup API, then show each match
// with the clip's own frame (decoded here, from the local file) beside the master's
// storyboard tile at that timecode, and a link into the player there.
(function () {
  "use strict";
  var form = document.getElementById("lookup-form");
  if (!form) { return; }
  var L = JSON.parse(form.dataset.labels);
  var input = document.getElementById("lookup-file");
  var status = document.getElementById("lookup-status");
  var list = document.getElementById("lookup-results");
  var video = document.getElementById("lookup-video");
  var submit = document.getElementById("lookup-submit");
  var csrf = window.OrtakApi ? window.OrtakApi.csrf() : "";  // api.js
  // The API's refusals in the page's language (messages.js); its English sentence otherwise.
  var messages = window.OrtakMessages ? window.OrtakMessages.from(form) : null;
  var file = null, objectUrl = null;
  // Only the latest lookup may show its answer: each send() takes the next number and aborts the
  // requests of the one before (its answer, its credentials, its frames); an answer, an error or
  // a frame whose number is no longer `latest` is dropped, so a slow first answer can never be
  // shown beside the second file's frames.
  var latest = 0, inFlight = null;
  // The frames are fitted into this box, each at its own aspect (a 9:16 clip is 101×180).
  var BOX_W = 240, BOX_H = 180;

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = text; }
    return n;
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }
  // Numbers as the page's language writes them (messages.js: "1,3 s", "%99" in tr).
  function decimal(x, digits) { return messages ? messages.number(x, digits) : Number(x).toFixed(digits); }
  function seconds(s) { return decimal(s, 1) + " s"; }
  function percent(share) { return messages ? messages.percent(share) : Math.floor(share * 100) + " %"; }

  ["dragover", "dragenter"].forEach(function (name) {
    form.addEventListener(name, function (e) { e.preventDefault(); form.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    form.addEventListener(name, function () { form.classList.remove("over"); });
  });
  form.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; send(); }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); send(); });

  function send() {
    file = input.files && input.files[0];
    if (!file) { return; }
    var mine = ++latest;
    if (inFlight) { inFlight.abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    inFlight = controller;
    var signal = controller ? controller.signal : undefined;
    var current = function () { return mine === latest; };
    if (objectUrl) { URL.revokeObjectURL(objectUrl); }
    objectUrl = URL.createObjectURL(file);
    video.src = objectUrl;
    list.textContent = "";
    list.dataset.file = file.name;
    status.className = "";
    status.dataset.file = file.name;
    status.textContent = fill(L.searching, { name: file.name });
    busy(true);
    var body = new FormData();
    body.append("file", file);
    credentials(file, current, signal);
    fetch(form.dataset.api, { method: "POST", body: body, credentials: "same-origin", signal: signal,
                              headers: { "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) {
        return r.json().then(function (doc) { return { ok: r.ok, status: r.status, doc: doc }; });
      })
      .then(function (res) {
        if (!current()) { return; }
        busy(false);
        if (!res.ok) {
          status.className = "notice notice-error";
          var error = res.doc && res.doc.error;
          status.textContent = (messages && messages.apiError(res.status, error)) ||
            (error && error.message) || L.failed;
          return;
        }
        show(res.doc, current);
      })
      .catch(function () {
        if (!current()) { return; }  // aborted by a later lookup, or its answer is no longer wanted
        busy(false);
        status.className = "notice notice-error"; status.textContent = L.failed;
      });
  }

  // The in-progress state of the latest lookup: the results say they are being replaced.
  function busy(on) {
    list.setAttribute("aria-busy", on ? "true" : "false");
    form.classList.toggle("busy", on);
    if (submit) { submit.setAttribute("aria-busy", on ? "true" : "false"); }
  }

  // The chain of content credentials the clip carries (C2PA), rendered by the server; shown
  // only while its lookup is the latest (`current`).
  function credentials(file, current, signal) {
    var section = document.getElementById("lookup-credentials");
    if (!section || !section.dataset.url) { return; }
    section.hidden = true;
    section.textContent = "";
    var body = new FormData();
    body.append("file", file);
    fetch(section.dataset.url, { method: "POST", body: body, credentials: "same-origin", signal: signal,
                                 headers: { "Accept": "text/html", "X-CSRFToken": csrf } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (!current()) { return; }
        section.innerHTML = html; section.dataset.file = file.name; section.hidden = false;
      })
      .catch(function () { if (current()) { section.hidden = true; } });
  }

  function show(doc, current) {
    var notes = [];
    if (!doc.matches.length) { notes.push(L.none); }
    if (doc.ambiguous) { notes.push(L.ambiguous); }
    if (doc.query && doc.query.sampled) { notes.push(L.sampled); }
    status.className = doc.matches.length ? "" : "notice";
    status.textContent = notes.join(" ");
    var titles = {};
    doc.matches.forEach(function (m) { titles[m.asset_id] = m.title; });
    var queue = Promise.resolve();
    doc.matches.forEach(function (m) {
      var item = node("li", "lookup-match");
      item.dataset.assetId = m.asset_id;
      var head = node("h2", null);
      var link = node("a", null, m.title);
      link.href = m.player || ("/assets/" + m.asset_id);
      head.appendChild(link);
      // An asset exported from another (`clip_of`): said on its card, so that a clip tied with
      // its master does not read as a second master of the same title.
      if (m.clip_of) { head.appendChild(node("span", "badge badge-clip", L.clip)); }
      if (m.tied) { head.appendChild(node("span", "badge", L.tied)); }
      item.appendChild(head);
      if (m.clip_of) {
        item.appendChild(node("p", "lookup-clip-of", titles[m.clip_of] ?
          fill(L.clip_of, { title: titles[m.clip_of] }) : L.clip_of_other));
      }
      var facts = node("p", "lookup-facts");
      facts.appendChild(node("span", null, L.confidence + ": " + percent(m.confidence)));
      facts.appendChild(node("span", null, " · " + (m.clip_of ? L.in_clip : L.master) + ": "));  // the label in the text's face
      facts.appendChild(node("span", "mono", (m.in_timecode || seconds(m["in"])) +
                                         " – " + (m.out_timecode || seconds(m.out))));
      facts.appendChild(node("span", null, " · " + L.query + ": " + seconds(m.query_in) + " – " + seconds(m.query_out)));
      item.appendChild(facts);
      var edits = node("ul", "lookup-edits");
      m.edits.forEach(function (code) {
        var text = L.edits[code] || code;
        if (code === "speed_change") { text += " (" + fill(L.speed, { speed: decimal(m.speed, 2) }) + ")"; }
        if (code === "remuxed" && m.packets) {
          text += " (" + fill(L.packets, { found: m.packets.found, compared: m.packets.compared }) + ")";
        }
        edits.appendChild(node("li", "tag", text));
      });
      item.appendChild(edits);
      var frames = node("div", "lookup-frames");
      var mine = node("figure"), theirs = node("figure");
      var canvas = node("canvas", "lookup-clip-frame");
      canvas.width = BOX_W; canvas.height = Math.round(BOX_W * 9 / 16);  // until the clip's own size is known
      mine.appendChild(canvas);
      mine.appendChild(node("figcaption", null, L.your_frame + " · " + seconds(m.query_in)));
      theirs.appendChild(masterFrame(m.master_frame));
      theirs.appendChild(node("figcaption", null, (m.clip_of ? L.clip_frame : L.master_frame) + " · " +
                                                  (m.in_timecode || seconds(m["in"]))));
      frames.appendChild(mine); frames.appendChild(theirs);
      item.appendChild(frames);
      var open = node("a", "button", L.open);
      open.href = link.href;
      item.appendChild(open);
      list.appendChild(item);
      queue = queue.then(function () { return current() ? grab(m.query_in, canvas, current) : null; });
    });
  }

  // [width, height] of a w×h picture fitted into the frames' box, its aspect kept.
  function fit(w, h) {
    var scale = Math.min(BOX_W / w, BOX_H / h);
    return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
  }

  // The master's storyboard tile (a region of a sprite sheet) or poster, at its own aspect.
  function masterFrame(frame) {
    var box = node("div", "lookup-master");
    box.style.width = BOX_W + "px"; box.style.height = Math.round(BOX_W * 9 / 16) + "px";
    if (!frame) { return box; }
    if (frame.w && frame.h) {
      var size = fit(frame.w, frame.h), scale = size[0] / frame.w;
      box.style.width = size[0] + "px"; box.style.height = size[1] + "px";
      box.style.backgroundImage = "url('" + frame.url + "')";
      box.style.backgroundPosition = (-frame.x * scale) + "px " + (-frame.y * scale) + "px";
      var probe = new Image();
      probe.onload = function () {
        box.style.backgroundSize = (probe.naturalWidth * scale) + "px " + (probe.naturalHeight * scale) + "px";
      };
      probe.src = frame.url;
    } else {
      var img = node("img");
      img.alt = "";
      img.onload = function () {
        var fitted = fit(img.naturalWidth || BOX_W, img.naturalHeight || BOX_H);
        img.width = fitted[0]; img.height = fitted[1];
        box.style.width = fitted[0] + "px"; box.style.height = fitted[1] + "px";
      };
      img.src = frame.url;
      box.appendChild(img);
    }
    return box;
  }

  // The clip's frame at `at` seconds, drawn from the local file (what the browser can decode).
  // The canvas takes the clip's own aspect (videoWidth × videoHeight: its display size) fitted
  // into the box; nothing is drawn once a later lookup has replaced this one (`current`).
  function grab(at, canvas, current) {
    return new Promise(function (resolve) {
      var done = function () {
        video.removeEventListener("seeked", onSeeked);
        resolve();
      };
      var onSeeked = function () {
        if (current() && video.videoWidth && video.videoHeight) {
          var size = fit(video.videoWidth, video.videoHeight);
          canvas.width = size[0]; canvas.height = size[1];
          try {
            canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
            canvas.dataset.drawn = "true";
          } catch (e) { /* undecodable here */ }
        }
        done();
      };
      var seek = function () {
        video.addEventListener("seeked", onSeeked);
        video.currentTime = Math.max(0, at + 0.05);
      };
      if (video.readyState >= 1) { seek(); } else {
        video.addEventListener("loadedmetadata", seek, { once: true });
        video.addEventListener("error", done, { once: true });
      }
      setTimeout(done, 5000);
    });
  }
}());
