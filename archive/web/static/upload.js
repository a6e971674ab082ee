// The upload page: tus-js-client sends the file to /api/v1/uploads in resumable chunks.
// The session cookie authenticates the upload, so every request carries the CSRF token.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.tus) { return; }

  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var d = form.dataset;
  var fileInput = document.getElementById("file");
  var dropzone = document.getElementById("dropzone");
  var chosen = document.getElementById("chosen");
  var startBtn = document.getElementById("start");
  var pauseBtn = document.getElementById("pause");
  var resumeBtn = document.getElementById("resume");
  var box = document.getElementById("progress-box");
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  var result = document.getElementById("result");
  var file = null;
  var upload = null;
  var assetId = null;
  var uploadStatus = null;

  function humanSize(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + units[i];
  }

  function say(kind, message, link) {
    result.textContent = "";
    var p = document.createElement("p");
    p.className = "notice notice-" + kind;
    p.textContent = message;  // textContent: a server message never becomes markup
    if (link) {
      p.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link;
      a.id = "asset-link";
      a.textContent = d.msgOpen;
      p.appendChild(a);
    }
    result.appendChild(p);
  }

  function choose(f) {
    file = f || null;
    chosen.hidden = !file;
    if (file) {
      chosen.textContent = file.name + " · " + humanSize(file.size);
      var anyTitle = Array.prototype.some.call(form.querySelectorAll(".title-input"),
        function (el) { return el.value.trim(); });
      if (!anyTitle) {
        var own = document.getElementById("title_" + d.lang);
        if (own) { own.value = file.name.replace(/\.[^.]+$/, ""); }
      }
    }
  }

  fileInput.addEventListener("change", function () { choose(fileInput.files[0]); });
  ["dragenter", "dragover"].forEach(function (ev) {
    dropzone.addEventListener(ev, function (e) { e.preventDefault(); dropzone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    dropzone.addEventListener(ev, function (e) { e.preventDefault(); dropzone.classList.remove("over"); });
  });
  dropzone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) { choose(e.dataTransfer.files[0]); }
  });

  function titles() {
    var out = {};
    form.querySelectorAll(".title-input").forEach(function (el) {
      if (el.value.trim()) { out[el.dataset.lang] = el.value.trim(); }
    });
    return out;
  }

  // The upload carries the title in one language (tus metadata is flat); the others
  // follow in one PATCH once the asset exists.
  function uploadMetadata(t) {
    var meta = { filename: file.name, filetype: file.type || "application/octet-stream" };
    var rest = {};
    var lang = (t[d.lang] || !Object.keys(t).length) ? d.lang : Object.keys(t)[0];
    meta.language = lang;
    if (t[lang]) { meta.title = t[lang]; }
    var genre = document.getElementById("genre").value;
    if (genre) { meta.genre = genre; }
    var desc = document.getElementById("description").value.trim();
    if (desc) {
      if (lang === d.lang) { meta.description = desc; } else { rest.description = desc; }
    }
    return { meta: meta, rest: rest };
  }

  function patchRest(id, t, rest) {
    var body = { title: t };
    if (rest.description) { body.description = {}; body.description[d.lang] = rest.description; }
    return fetch("/api/v1/assets/" + encodeURIComponent(id), {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function finished(t, rest) {
    pauseBtn.hidden = true;
    resumeBtn.hidden = true;
    startBtn.disabled = false;
    bar.value = 100;
    var link = assetId ? d.assetUrl.replace("ASSET_ID", encodeURIComponent(assetId)) : null;
    if (uploadStatus === "duplicate") {
      say("warning", d.msgDuplicate, link);
      return;
    }
    var needsPatch = assetId && (Object.keys(t).length > 1 || rest.description);
    var after = needsPatch ? patchRest(assetId, t, rest) : Promise.resolve();
    after.catch(function () { /* the titles can still be edited on the asset page */ })
      .then(function () { say("success", d.msgDone, link); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!file) { say("error", d.msgNoFile); return; }
    if (file.size > Number(d.maxSize)) { say("error", d.msgTooBig); return; }
    var t = titles();
    var md = uploadMetadata(t);
    assetId = null;
    uploadStatus = null;
    result.textContent = "";
    box.hidden = false;
    bar.value = 0;
    startBtn.disabled = true;

    upload = new tus.Upload(file, {
      endpoint: d.endpoint,
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: md.meta,
      headers: { "X-CSRFToken": csrf },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        var pct = total ? Math.floor(sent / total * 100) : 0;
        bar.value = pct;
        text.textContent = pct + "% · " + humanSize(sent) + " / " + humanSize(total);
      },
      onAfterResponse: function (req, res) {
        var id = res.getHeader("Ortak-Asset-Id");
        if (id) { assetId = id; uploadStatus = res.getHeader("Ortak-Upload-Status"); }
      },
      onError: function (err) {
        startBtn.disabled = false;
        pauseBtn.hidden = true;
        resumeBtn.hidden = true;
        var detail = String(err && err.message || err);
        var body = err && err.originalResponse && err.originalResponse.getBody();
        try { detail = JSON.parse(body).error.message; } catch (ignored) { /* not our error shape */ }
        say("error", d.msgFailed + " " + detail);
      },
      onSuccess: function () { finished(t, md.rest); }
    });

    pauseBtn.hidden = false;
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        text.textContent = d.msgResumed;
      }
      upload.start();
    });
  });

  pauseBtn.addEventListener("click", function () {
    if (!upload) { return; }
    upload.abort();
    pauseBtn.hidden = true;
    resumeBtn.hidden = false;
    text.textContent = d.msgPaused;
  });
  resumeBtn.addEventListener("click", function () {
    if (!upload) { return; }
    resumeBtn.hidden = true;
    pauseBtn.hidden = false;
    upload.start();
  });
}());
