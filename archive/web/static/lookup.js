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
  var csrf = window.OrtakApi ? window.OrtakApi.csrf() : "";  // api.js
  // The API's refusals in the page's language (messages.js); its English sentence otherwise.
  var messages = window.OrtakMessages ? window.OrtakMessages.from(form) : null;
  var file = null, objectUrl = null;

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
    if (objectUrl) { URL.revokeObjectURL(objectUrl); }
    objectUrl = URL.createObjectURL(file);
    video.src = objectUrl;
    list.textContent = "";
    status.className = "";
    status.textContent = L.searching;
    var body = new FormData();
    body.append("file", file);
    credentials(file);
    fetch(form.dataset.api, { method: "POST", body: body, credentials: "same-origin",
                              headers: { "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) {
        return r.json().then(function (doc) { return { ok: r.ok, status: r.status, doc: doc }; });
      })
      .then(function (res) {
        if (!res.ok) {
          status.className = "notice notice-error";
          var error = res.doc && res.doc.error;
          status.textContent = (messages && messages.apiError(res.status, error)) ||
            (error && error.message) || L.failed;
          return;
        }
        show(res.doc);
      })
      .catch(function () { status.className = "notice notice-error"; status.textContent = L.failed; });
  }

  // The chain of content credentials the clip carries (C2PA), rendered by the server.
  function credentials(file) {
    var section = document.getElementById("lookup-credentials");
    if (!section || !section.dataset.url) { return; }
    section.hidden = true;
    section.textContent = "";
    var body = new FormData();
    body.append("file", file);
    fetch(section.dataset.url, { method: "POST", body: body, credentials: "same-origin",
                                 headers: { "Accept": "text/html", "X-CSRFToken": csrf } })
      .then(function (r) { return r.text(); })
      .then(function (html) { section.innerHTML = html; section.hidden = false; })
      .catch(function () { section.hidden = true; });
  }

  function show(doc) {
    var notes = [];
    if (!doc.matches.length) { notes.push(L.none); }
    if (doc.ambiguous) { notes.push(L.ambiguous); }
    if (doc.query && doc.query.sampled) { notes.push(L.sampled); }
    status.className = doc.matches.length ? "" : "notice";
    status.textContent = notes.join(" ");
    var queue = Promise.resolve();
    doc.matches.forEach(function (m) {
      var item = node("li", "lookup-match");
      item.dataset.assetId = m.asset_id;
      var head = node("h2", null);
      var link = node("a", null, m.title);
      link.href = m.player || ("/assets/" + m.asset_id);
      head.appendChild(link);
      if (m.tied) { head.appendChild(node("span", "badge", L.tied)); }
      item.appendChild(head);
      var facts = node("p", "lookup-facts");
      facts.appendChild(node("span", null, L.confidence + ": " + percent(m.confidence)));
      facts.appendChild(node("span", null, " · " + L.master + ": "));  // the label in the text's face
      facts.appendChild(node("span", "mono", (m.in_timecode || seconds(m["in"])) +
                                         " – " + (m.out_timecode || seconds(m.out))));
      facts.appendChild(node("span", null, " · " + L.query + ": " + seconds(m.query_in) + " – " + seconds(m.query_out)));
      item.appendChild(facts);
      var edits = node("ul", "lookup-edits");
      m.edits.forEach(function (code) {
        var text = L.edits[code] || code;
        if (code === "speed_change") { text += " (" + fill(L.speed, { speed: decimal(m.speed, 2) }) + ")"; }
        edits.appendChild(node("li", "tag", text));
      });
      item.appendChild(edits);
      var frames = node("div", "lookup-frames");
      var mine = node("figure"), theirs = node("figure");
      var canvas = node("canvas");
      canvas.width = 240; canvas.height = 135;
      mine.appendChild(canvas);
      mine.appendChild(node("figcaption", null, L.your_frame + " · " + seconds(m.query_in)));
      theirs.appendChild(masterFrame(m.master_frame));
      theirs.appendChild(node("figcaption", null, L.master_frame + " · " + (m.in_timecode || seconds(m["in"]))));
      frames.appendChild(mine); frames.appendChild(theirs);
      item.appendChild(frames);
      var open = node("a", "button", L.open);
      open.href = link.href;
      item.appendChild(open);
      list.appendChild(item);
      queue = queue.then(function () { return grab(m.query_in, canvas); });
    });
  }

  function masterFrame(frame) {
    var box = node("div", "lookup-master");
    box.style.width = "240px"; box.style.height = "135px";
    if (!frame) { return box; }
    if (frame.w) {
      var scale = 240 / frame.w;
      box.style.height = Math.round(frame.h * scale) + "px";
      box.style.backgroundImage = "url('" + frame.url + "')";
      box.style.backgroundPosition = (-frame.x * scale) + "px " + (-frame.y * scale) + "px";
      var probe = new Image();
      probe.onload = function () {
        box.style.backgroundSize = (probe.naturalWidth * scale) + "px " + (probe.naturalHeight * scale) + "px";
      };
      probe.src = frame.url;
    } else {
      var img = node("img");
      img.src = frame.url; img.width = 240; img.alt = "";
      box.appendChild(img);
    }
    return box;
  }

  // The clip's frame at `at` seconds, drawn from the local file (what the browser can decode).
  function grab(at, canvas) {
    return new Promise(function (resolve) {
      var done = function () {
        video.removeEventListener("seeked", onSeeked);
        resolve();
      };
      var onSeeked = function () {
        try { canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height); } catch (e) { /* undecodable here */ }
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
