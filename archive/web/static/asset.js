// The asset page: after a save (or a refused one) the focus goes to what the server said;
// while the asset is being processed, poll the JSON API every 2 s and move the per-rendition
// progress bars; when processing ends, reload to show the player (and as soon as an HLS
// ladder being made can be played: `live`; a page playing one is not reloaded at the end).
(function () {
  "use strict";
  // "Saved." or the list of problems: focused and scrolled into view, so that neither the
  // keyboard's place nor the eye is left at the top of the page.
  var said = document.querySelector("[data-focus-on-load]");
  if (said) {
    said.focus({ preventScroll: true });
    said.scrollIntoView({ block: "center" });
  }

  // Transcripts: a line seeks the player there (a plain link, ?t=, without JavaScript); the
  // form PUTs the chosen SRT/WebVTT file to the API and reloads to show it.
  var player = document.getElementById("player");
  document.querySelectorAll("a.transcript-line").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var t = parseFloat(link.dataset.seconds);
      if (!player || !isFinite(t)) { return; }
      event.preventDefault();
      player.currentTime = t;
      player.scrollIntoView({ block: "center" });
    });
  });
  var tform = document.getElementById("transcript-form");
  if (tform) {
    tform.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = document.getElementById("transcript-file").files[0];
      var lang = document.getElementById("transcript-lang").value;
      var status = document.getElementById("transcript-status");
      if (!file) { status.textContent = tform.dataset.pick; return; }
      status.textContent = tform.dataset.sending;
      window.OrtakApi.call("PUT", tform.dataset.url + "/" + encodeURIComponent(lang), file, {
        raw: true, headers: { "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(file.name) }
      }).then(function () { window.location.reload(); }, function (failure) {
        if (!failure.status) { status.textContent = tform.dataset.failed; return; }
        // The actual reason, in the page's language, with the line of the fault (messages.js).
        var M = window.OrtakMessages.from(tform);
        var reason = M.subtitleError(failure.status, failure.error) || M.apiError(failure.status, failure.error);
        status.textContent = tform.dataset.refused + " " + reason;
      });
    });
  }

  var root = document.getElementById("asset");
  if (!root || root.dataset.active !== "1") { return; }
  var ACTIVE = ["uploading", "processing"];
  var badge = document.getElementById("status-badge");

  function percent(r) {
    if (r.status === "ready") { return 100; }
    var v = Number(r.progress) || 0;
    return Math.max(0, Math.min(100, v <= 1 ? v * 100 : v));
  }

  // Bytes as the server's `filesize` filter writes them (messages.js, the page's catalogue).
  var catalogue = document.querySelector("[data-messages]");
  function bytes(n) {
    return catalogue && window.OrtakMessages ? window.OrtakMessages.from(catalogue).size(n) : String(n);
  }
  // A whole percent (0..100) as the page's language writes it ("%60" in Turkish, "60%" in az).
  function pct(n) {
    return catalogue && window.OrtakMessages ? window.OrtakMessages.from(catalogue).percent(n / 100) : n + "%";
  }

  function update(doc) {
    var bar = document.getElementById("upload-bar");
    if (bar && doc.upload) {
      // The sentence is the server's (translated, data-template); the figures in it move here.
      bar.value = Math.floor(Math.max(0, Math.min(1, Number(doc.upload.progress) || 0)) * 100);
      bar.textContent = pct(bar.value);
      var received = document.getElementById("upload-received");
      if (received && received.dataset.template) {
        received.textContent = received.dataset.template
          .replace("{received}", bytes(Number(doc.upload.offset) || 0))
          .replace("{percent}", pct(bar.value));
      }
    }
    var known = {};
    document.querySelectorAll("[data-rendition]").forEach(function (li) { known[li.dataset.rendition] = li; });
    var missing = false;
    (doc.renditions || []).forEach(function (r) {
      var li = known[r.name];
      if (!li) { missing = true; return; }
      li.querySelector("progress").value = Math.floor(percent(r));
      var st = li.querySelector(".rendition-status");
      st.className = "rendition-status status-" + r.status;
      st.textContent = root.dataset["l" + r.status.charAt(0).toUpperCase() + r.status.slice(1)] || r.status;
    });
    return missing;
  }

  function poll() {
    fetch(root.dataset.api, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) {
        // Logged out or gone: a reload shows the login page or the 404 page.
        if ([401, 403, 404].indexOf(res.status) >= 0) { window.location.reload(); return undefined; }
        return res.ok ? res.json() : null;
      })
      .then(function (doc) {
        if (doc === undefined) { return; }
        if (!doc) { setTimeout(poll, 2000); return; }
        var newRenditions = update(doc);
        var tool = document.getElementById("player-tool");
        var live = (doc.renditions || []).some(function (r) { return r.live; });
        if (live && !tool) { window.location.reload(); return; }  // its first segments are there: show the player
        if (tool && JSON.parse(tool.dataset.player).live && !newRenditions && ACTIVE.indexOf(doc.status) < 0) {
          // Playing the ladder while it was made: no reload to break the playback; the player
          // says when the whole asset can be played.
          badge.dataset.status = doc.status;
          return;
        }
        if (ACTIVE.indexOf(doc.status) < 0 || newRenditions || badge.dataset.status !== doc.status) {
          // Status labels and the player are rendered (and translated) by the server.
          window.location.reload();
          return;
        }
        badge.dataset.status = doc.status;
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 2000);
}());
