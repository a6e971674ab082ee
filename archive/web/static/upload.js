// The upload page: tus-js-client sends the file to /api/v1/uploads in resumable chunks.
// The session cookie authenticates the upload, so every request carries the CSRF token.
// Errors are said in the page's language by their code (messages.js), each field error
// next to its field. The upload's asset exists from the creation's 201 (Ortak-Asset-Id, status
// `uploading`): the titles in the other languages (one PATCH) and the subtitle files chosen per
// language (PUT to its transcripts, one at a time, each with its progress and outcome) go to it
// at once, while the bytes upload; the last chunk waits for them, so they are on the asset
// before the server knows whether the bytes are a duplicate. A refused one is said beside its
// input and never undoes the upload. For a duplicate the server carries what was typed over to
// the asset that holds the bytes (or the organisation's copy) where it may
// (archive/ingest/carry_over.py); the page says what went and what did not, from the upload's
// `carried_over`.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.tus || !window.OrtakMessages || !window.OrtakApi) { return; }

  var Api = window.OrtakApi;  // api.js: the CSRF token and the JSON calls every page script shares
  var d = form.dataset;
  var M = window.OrtakMessages.from(form);
  var fileInput = document.getElementById("file");
  var chooseBtn = document.getElementById("choose");
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
  var details = document.getElementById("details-status");
  var labels = JSON.parse(d.carriedLabels || "{}");
  var CHUNK = 8 * 1024 * 1024;
  var upload = null;
  var answer = {};
  var early = null;  // a Promise of {notSaved, refused} once the details are on their way

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content) { node.textContent = content; }  // textContent: a server message never becomes markup
    return node;
  }

  function assetLink(id, label) {
    var a = el("a", null, label);
    a.href = d.assetUrl.replace("ASSET_ID", encodeURIComponent(id));
    a.id = "asset-link";
    return a;
  }

  // One notice in the result area; `items` become a list (field errors), `link` follows.
  function say(kind, message, items, link) {
    result.textContent = "";
    var notice = el("div", "notice notice-" + kind);
    notice.appendChild(el("p", null, message));
    if (items && items.length) {
      var ul = el("ul");
      items.forEach(function (item) {
        var li = el("li");
        if (item.target) {
          var a = el("a", null, item.text);
          a.href = "#" + item.target;
          li.appendChild(a);
        } else {
          li.textContent = item.text;
        }
        ul.appendChild(li);
      });
      notice.appendChild(ul);
    }
    if (link) { notice.appendChild(el("p")).appendChild(link); }
    result.appendChild(notice);
    // The answer may be far below the control that was used: bring it, and the focus, to it.
    result.focus({ preventScroll: true });
    result.scrollIntoView({ block: "nearest" });
  }

  function clearFieldErrors() {
    form.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.slice(-6) !== "-error";
      });
      if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    });
  }

  // The control a field path belongs to: title.tr -> #title_tr; description.* -> #description.
  function control(path) {
    var parts = String(path || "").split(/[.[\]]/).filter(Boolean);
    if (parts[0] === "title" && parts[1]) { return document.getElementById("title_" + parts[1]); }
    if (parts[0] === "description" || parts[0] === "genre") { return document.getElementById(parts[0]); }
    return null;
  }

  function showFieldErrors(error) {
    return M.fieldErrors(error).map(function (err) {
      var message = M.fieldError(err);
      var input = control(err.field);
      if (!input) { return { text: message }; }
      var id = input.id + "-error";
      var note = document.getElementById(id);
      if (!note) {
        note = el("small", "error-text field-error");
        note.id = id;
        input.insertAdjacentElement("afterend", note);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby",
          ((input.getAttribute("aria-describedby") || "") + " " + id).trim());
      }
      note.textContent = (note.textContent ? note.textContent + " " : "") + message;
      return { text: message, target: input.id };
    });
  }

  function errorBody(res) {
    return Api.errorOf(res.getBody ? res.getBody() : res);
  }

  function choose(f) {
    file = f || null;
    // No title is made up from the file name: until a title is given, the name serves as one.
    chosen.textContent = file ? file.name + " · " + M.size(file.size) : "";
  }

  chooseBtn.addEventListener("click", function () { fileInput.click(); });
  dropzone.addEventListener("click", function (e) {
    if (e.target === dropzone || (e.target.closest(".dropzone-label") && e.target !== chooseBtn)) {
      fileInput.click();
    }
  });
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
    form.querySelectorAll(".title-input").forEach(function (input) {
      if (input.value.trim()) { out[input.dataset.lang] = input.value.trim(); }
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
    return Api.call("PATCH", "/api/v1/assets/" + encodeURIComponent(id), body);
  }

  function idle() {
    pauseBtn.hidden = true;
    resumeBtn.hidden = true;
    startBtn.disabled = false;
  }

  // One entry of a `carried_over` report in the page's language: "Title (English): Haber —
  // to the asset in the archive"; one not applied names its reason instead of where it went.
  function describe(entry) {
    var text = labels[entry.what] || entry.what;
    if (entry.lang) { text += " (" + (labels["lang_" + entry.lang] || entry.lang) + ")"; }
    var value = entry.values ? entry.values.join(", ")
      : (entry.value !== undefined && entry.value !== null ? entry.value : (entry.filename || entry.text || ""));
    if (value !== "" && typeof value === "object") { value = JSON.stringify(value); }
    if (value !== "") { text += ": " + value; }
    if (entry.reason) { return text + " (" + (labels[entry.reason] || entry.reason) + ")"; }
    return text + " — " + (entry.to === "holding" ? d.msgToHolding : d.msgToAsset);
  }

  function reportList(notice, id, heading, entries) {
    if (!entries || !entries.length) { return; }
    var section = el("div");
    section.id = id;
    section.appendChild(el("p", null, heading));
    var ul = el("ul");
    entries.forEach(function (entry) { ul.appendChild(el("li", null, describe(entry))); });
    section.appendChild(ul);
    notice.appendChild(section);
  }

  // Beside each subtitle input: whether the server carried its file over, and why not.
  function transcriptsCarried(items, report) {
    function find(list, lang) {
      return (list || []).filter(function (e) { return e.what === "transcript" && e.lang === lang; })[0];
    }
    items.forEach(function (item) {
      if (!/\bdone\b/.test(item.status.className)) { return; }  // never reached the upload's asset
      var went = report && find(report.applied, item.lang);
      var not = report && find(report.not_applied, item.lang);
      if (went) { transcriptState(item, "done", sd.msgCarried); }
      else if (not) { transcriptState(item, "error", sd.msgNotCarried + " " + (labels[not.reason] || not.reason)); }
      else { transcriptState(item, "error", sd.msgNotSent); }
    });
  }

  // A duplicate: the upload's JSON says how this organisation now stands to the file, and what
  // of what was typed went to the held asset or the holding (`carried_over`).
  function duplicate(uploadUrl, items) {
    var existing = answer.duplicateOf || answer.assetId;
    var link = existing ? assetLink(existing, d.msgOpenExisting) : null;
    var messages = { added: d.msgDuplicateAdded, already_held: d.msgDuplicateHeld, own_asset: d.msgDuplicateOwn };
    fetch(uploadUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : {}; })
      .catch(function () { return {}; })
      .then(function (info) {
        var report = info.carried_over || null;
        say("warning", messages[info.holding] || d.msgDuplicate, null, link);
        var notice = result.querySelector(".notice");
        if (report) {
          reportList(notice, "carried-applied", d.msgCarried, report.applied);
          reportList(notice, "carried-not-applied", d.msgNotCarried, report.not_applied);
        }
        transcriptsCarried(items, report);
      });
  }

  // ---- subtitle files, one per language ----------------------------------------------------

  var subs = document.getElementById("transcripts");
  var sd = subs ? subs.dataset : {};

  // The chosen subtitle files: [{lang, file, input, bar, status}].
  function chosenTranscripts() {
    if (!subs) { return []; }
    return Array.prototype.filter.call(subs.querySelectorAll(".transcript-input"), function (input) {
      return input.files && input.files.length;
    }).map(function (input) {
      return { lang: input.dataset.lang, file: input.files[0], input: input,
               bar: document.getElementById(input.id + "-progress"),
               status: document.getElementById(input.id + "-status") };
    });
  }

  // A sentence of the page with its {name} placeholders filled.
  function put(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function transcriptState(item, kind, message) {
    item.status.textContent = message || "";
    item.status.className = "small transcript-status" + (kind === "error" ? " error-text" : kind === "done" ? " done" : "");
    if (kind === "error") { item.input.setAttribute("aria-invalid", "true"); }
    else { item.input.removeAttribute("aria-invalid"); }
  }

  // The API's refusal of a subtitle file in the page's language: its reason (OrtakMessages
  // subtitleError: the line of the fault, the cue and characters of one that disguises its text).
  function transcriptError(failure) {
    var error = failure.error || {};
    var reason = M.subtitleError(failure.status, error);
    if (reason) { return sd.msgFailed + " " + reason; }
    if (failure.status === 413 || error.code === "body_too_large") { return sd.msgTooBig; }
    return sd.msgFailed + " " + M.apiError(failure.status, error);
  }

  // PUT one file with its upload progress (XMLHttpRequest: fetch reports none); a Promise of
  // the summary, or a rejected OrtakApi.Failure.
  function putTranscript(assetId, item) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", "/api/v1/assets/" + encodeURIComponent(assetId) + "/transcripts/" + encodeURIComponent(item.lang));
      var h = Api.headers({ "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(item.file.name) });
      Object.keys(h).forEach(function (k) { xhr.setRequestHeader(k, h[k]); });
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { item.bar.value = Math.floor(e.loaded / e.total * 100); }
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          try { resolve(JSON.parse(xhr.responseText || "{}")); } catch (e) { resolve({}); }
        } else {
          reject(new Api.Failure(xhr.status, Api.errorOf(xhr.responseText)));
        }
      };
      xhr.onerror = function () { reject(new Api.Failure(0, {})); };
      xhr.send(item.file);
    });
  }

  // Send the chosen files one after the other; a Promise of how many were not added.
  function sendTranscripts(assetId, items) {
    var refused = 0;
    return items.reduce(function (previous, item) {
      return previous.then(function () {
        if (item.file.size > Number(sd.max)) {
          refused += 1;
          transcriptState(item, "error", sd.msgTooBig);
          return undefined;
        }
        item.bar.hidden = false;
        item.bar.value = 0;
        transcriptState(item, "", sd.msgSending);
        return putTranscript(assetId, item).then(function (summary) {
          item.bar.value = 100;
          transcriptState(item, "done", put(sd.msgAdded, { count: summary.segment_count }));
        }, function (failure) {
          refused += 1;
          item.bar.hidden = true;
          transcriptState(item, "error", transcriptError(failure));
        });
      });
    }, Promise.resolve()).then(function () { return refused; });
  }

  // The titles in the other languages, the description and the subtitle files, sent to the
  // upload's own asset (`uploading`) as soon as it exists; a Promise of {notSaved: the field
  // errors of a refused PATCH or null, refused: how many subtitle files were not added}, never
  // rejected (the last chunk waits for it).
  function sendDetails(assetId, t, rest, items) {
    var needsPatch = Object.keys(t).length > 1 || rest.description;
    if (needsPatch) { details.hidden = false; details.className = "small"; details.textContent = d.msgDetailsSending; }
    var patched = needsPatch ? patchRest(assetId, t, rest).then(function () {
      details.className = "small done";
      details.textContent = d.msgDetailsSaved;
      return null;
    }, function (failure) {
      details.className = "small error-text";
      details.textContent = d.msgDetailsNotSaved;
      var listed = failure.status ? showFieldErrors(failure.error) : [];
      return listed.length ? listed : [{ text: M.apiError(failure.status, failure.error || {}) }];
    }) : Promise.resolve(null);
    return patched.then(function (notSaved) {
      return sendTranscripts(assetId, items).then(function (refused) {
        return { notSaved: notSaved, refused: refused };
      });
    }).catch(function () { return { notSaved: [{ text: M.statusText(0) }], refused: 0 }; });
  }

  function finished(t, rest, uploadUrl, items) {
    bar.value = 100;
    pauseBtn.hidden = true;  // the file is sent; Upload stays disabled until the subtitles are
    resumeBtn.hidden = true;
    var wait = early || (answer.assetId && answer.status !== "duplicate"
      ? sendDetails(answer.assetId, t, rest, items) : Promise.resolve({ notSaved: null, refused: 0 }));
    wait.then(function (outcome) {
      idle();
      if (answer.status === "duplicate") {
        if (!early) { items.forEach(function (item) { transcriptState(item, "error", sd.msgNotSent); }); }
        duplicate(uploadUrl, items);
        return;
      }
      var link = answer.assetId ? assetLink(answer.assetId, d.msgOpen) : null;
      if (outcome.notSaved) { say("warning", d.msgDetailsNotSaved, outcome.notSaved, link); }
      else if (outcome.refused) { say("warning", sd.msgSomeFailed, null, link); }
      else { say("success", d.msgDone, null, link); }
    });
  }

  function failed(err) {
    idle();
    var res = err && err.originalResponse;
    var status = res ? res.getStatus() : 0;
    var error = res ? errorBody(res) : {};
    if (status === 422 || error.code === "invalid_metadata" || error.code === "unknown_field") {
      say("error", d.msgFailed + " " + M.apiError(status, { code: "invalid_metadata" }), showFieldErrors(error));
      return;
    }
    say("error", d.msgFailed + " " + M.apiError(status, error));
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearFieldErrors();
    if (!file) { say("error", d.msgNoFile); return; }
    if (file.size > Number(d.maxSize)) { say("error", d.msgTooBig); return; }
    chosenTranscripts().forEach(function (item) {
      item.bar.hidden = true;
      transcriptState(item, "", sd.msgWaiting);
    });
    var t = titles();
    var md = uploadMetadata(t);
    var items = chosenTranscripts();
    answer = {};
    early = null;
    details.hidden = true;
    details.textContent = "";
    result.textContent = "";
    text.textContent = "";
    box.hidden = false;
    bar.value = 0;
    startBtn.disabled = true;

    upload = new tus.Upload(file, {
      endpoint: d.endpoint,
      chunkSize: CHUNK,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: md.meta,
      headers: { "X-CSRFToken": Api.csrf() },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        var pct = total ? Math.floor(sent / total * 100) : 0;
        bar.value = pct;
        text.textContent = M.percent(pct / 100) + " · " + M.size(sent) + " / " + M.size(total);
      },
      onAfterResponse: function (req, res) {
        var id = res.getHeader("Ortak-Asset-Id");
        if (id) {
          answer = { assetId: id, status: res.getHeader("Ortak-Upload-Status"),
                     duplicateOf: res.getHeader("Ortak-Duplicate-Of") };
          // The creation's 201 (or the HEAD of a resumed upload): the asset is there, `uploading`.
          if (!early && answer.status === "open") { early = sendDetails(id, t, md.rest, items); }
        }
      },
      // The chunk that ends the file waits for the titles and subtitles: the server decides on
      // it whether the bytes are a duplicate, and carries over what its asset has by then.
      onBeforeRequest: function (req) {
        if (!early || req.getMethod() !== "PATCH") { return undefined; }
        if (Number(req.getHeader("Upload-Offset")) + CHUNK < file.size) { return undefined; }
        return early;
      },
      // As tus-js-client decides by default (a client error is final), but say that it retries.
      onShouldRetry: function (err) {
        var res = err && err.originalResponse;
        var status = res ? res.getStatus() : 0;
        var retry = !(status >= 400 && status < 500 && status !== 409 && status !== 423);
        if (retry) { text.textContent = M.statusText("retrying") || ""; }
        return retry;
      },
      onError: failed,
      onSuccess: function () { finished(t, md.rest, upload.url, items); }
    });

    pauseBtn.hidden = false;
    pauseBtn.focus();  // the pressed Upload button is disabled now; Pause is the next useful control
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
    resumeBtn.focus();  // the pressed button is gone; the focus goes to the one that replaces it
    text.textContent = d.msgPaused;
  });
  resumeBtn.addEventListener("click", function () {
    if (!upload) { return; }
    resumeBtn.hidden = true;
    pauseBtn.hidden = false;
    pauseBtn.focus();
    upload.start();
  });
}());
