// My uploads: while any listed asset is being processed, poll GET /api/v1/assets?mine=1 every
// 2 s and update each row in place (status, progress, the reason of a rejection) without a
// reload, so the keyboard focus and the scroll position stay where they are.
(function () {
  "use strict";
  var root = document.getElementById("my-uploads");
  if (!root || root.dataset.active !== "1" || !window.OrtakMessages) { return; }
  var M = window.OrtakMessages.from(root);
  var live = document.getElementById("uploads-live");
  var ACTIVE = ["uploading", "processing"];

  function percent(doc) {
    if (doc.status === "ready") { return 100; }
    // Still uploading: how much of the file has arrived (GET /api/v1/assets: "upload").
    if (doc.status === "uploading") {
      return Math.floor(Math.max(0, Math.min(1, Number((doc.upload || {}).progress) || 0)) * 100);
    }
    var rends = doc.renditions || [];
    if (!rends.length) { return 0; }
    var sum = rends.reduce(function (acc, r) {
      if (r.status === "ready") { return acc + 100; }
      var v = Number(r.progress) || 0;
      return acc + Math.max(0, Math.min(100, v <= 1 ? v * 100 : v));
    }, 0);
    return Math.floor(sum / rends.length);
  }

  function update(row, doc) {
    var active = ACTIVE.indexOf(doc.status) >= 0;
    var pct = percent(doc);
    var badge = row.querySelector('[data-role="status"]');
    var bar = row.querySelector('[data-role="progress"]');
    var pctText = row.querySelector('[data-role="percent"]');
    var reason = row.querySelector('[data-role="reason"]');
    if (row.dataset.status !== doc.status) {
      row.dataset.status = doc.status;
      badge.className = "badge status-" + doc.status;
      badge.textContent = M.status(doc.status);
      var title = row.querySelector("h2 a").textContent;
      live.textContent = title + ": " + M.status(doc.status);
    }
    bar.value = pct;
    bar.textContent = M.percent(pct / 100);
    pctText.textContent = M.percent(pct / 100);
    bar.hidden = !active;
    pctText.hidden = !active;
    if (doc.status === "rejected" || doc.status === "failed") {
      var r = M.assetError(doc.error_code, doc.error);
      reason.textContent = r.message || r.detail || "";
      reason.hidden = !reason.textContent;
    }
    return active;
  }

  function poll() {
    fetch(root.dataset.api, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) {
        if (res.status === 401) { window.location.reload(); return null; }
        return res.ok ? res.json() : { retry: true };
      })
      .then(function (listing) {
        if (!listing) { return; }
        if (listing.retry) { setTimeout(poll, 5000); return; }
        var rows = {};
        root.querySelectorAll("[data-asset]").forEach(function (row) { rows[row.dataset.asset] = row; });
        var anyActive = false;
        (listing.items || []).forEach(function (doc) {
          if (rows[doc.id] && update(rows[doc.id], doc)) { anyActive = true; }
        });
        if (anyActive) { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
}());
