/* The baskets pages: create, add and remove items, ask for the zip and follow its progress,
   share with users and by link, all through the JSON API (API.md). */
(function () {
  "use strict";
  var script = document.currentScript;
  var L = JSON.parse(script.getAttribute("data-labels") || "{}");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var status = document.getElementById("basket-status");

  function say(text) { if (status) { status.textContent = text; } }

  function call(method, url, body) {
    var init = { method: method, credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-CSRFToken": csrf } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      if (r.status === 204) { return {}; }
      return r.json().then(function (data) {
        if (!r.ok) {
          var reason = (data.error && data.error.message) || String(r.status);
          throw new Error(L.error.replace("%(reason)s", reason));
        }
        return data;
      });
    });
  }

  function fail(err) { say(err.message); }

  var form = document.getElementById("basket-new");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      call("POST", "/api/v1/baskets", { name: document.getElementById("basket-name").value })
        .then(function (data) { window.location.href = "/baskets/" + data.id; }, fail);
    });
  }

  var root = document.getElementById("basket");
  if (!root) { return; }
  var id = root.getAttribute("data-id");
  var api = "/api/v1/baskets/" + id;

  document.querySelectorAll(".remove-item").forEach(function (button) {
    button.addEventListener("click", function () {
      call("DELETE", api + "/items/" + button.getAttribute("data-item")).then(function () {
        var row = button.closest("tr");
        row.parentNode.removeChild(row);
        say(L.removed);
      }, fail);
    });
  });

  function position(value) {
    value = value.trim();
    if (!value) { return undefined; }
    return /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value;
  }

  var itemForm = document.getElementById("item-form");
  if (itemForm) {
    itemForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { asset_id: document.getElementById("item-asset").value.trim() };
      var a = position(document.getElementById("item-in").value);
      var b = position(document.getElementById("item-out").value);
      if (a !== undefined) { body["in"] = a; }
      if (b !== undefined) { body.out = b; }
      call("POST", api + "/items", body).then(function () { window.location.reload(); }, fail);
    });
  }

  var bar = document.getElementById("zip-progress");
  var label = document.getElementById("zip-label");
  var download = document.getElementById("zip-download");
  var timer = null;

  function show(zip) {
    if (!zip || !bar) { return; }  // an audit view has no zip controls
    bar.hidden = zip.status === "ready";
    bar.value = zip.progress || 0;
    label.textContent = L[zip.status] + (zip.status === "failed" && zip.error ? ": " + zip.error : "");
    download.hidden = zip.status !== "ready";
    if (zip.status === "queued" || zip.status === "building") {
      if (!timer) { timer = window.setInterval(poll, 1000); }
    } else if (timer) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function poll() {
    call("GET", api + "?per_page=1").then(function (data) { show(data.zip); }, fail);
  }

  show(JSON.parse(root.getAttribute("data-zip") || "null"));

  var zipForm = document.getElementById("zip-form");
  if (zipForm) zipForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var declaration = { platform: document.getElementById("z-platform").value };
    ["territory", "from", "to", "purpose", "programme"].forEach(function (k) {
      declaration[k] = document.getElementById("z-" + k).value.trim();
    });
    call("POST", api + "/zip", { declaration: declaration }).then(function (data) { show(data.zip); }, fail);
  });

  var memberForm = document.getElementById("member-form");
  if (memberForm) {
    memberForm.addEventListener("submit", function (e) {
      e.preventDefault();
      call("POST", api + "/members", { user: document.getElementById("member-user").value.trim(),
                                        access: document.getElementById("member-access").value })
        .then(function () { say(L.shared); }, fail);
    });
  }

  var linkForm = document.getElementById("link-form");
  if (linkForm) {
    linkForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { basket_id: id, expires: document.getElementById("link-expires").value };
      var password = document.getElementById("link-password").value;
      var max = document.getElementById("link-max").value;
      if (password) { body.password = password; }
      if (max) { body.max_downloads = Number(max); }
      if (document.getElementById("link-originals").checked) { body.renditions = ["poster", "proxy", "original"]; }
      call("POST", "/api/v1/shares", body).then(function (data) {
        document.getElementById("link-url").textContent = data.url;
        say(L.link_made);
      }, fail);
    });
  }
})();
