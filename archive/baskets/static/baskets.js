/* The baskets pages: create, add and remove items, ask for the zip and follow its progress,
   share with users and by link, all through the JSON API (API.md). */
(function () {
  "use strict";
  var script = document.currentScript;
  var L = JSON.parse(script.getAttribute("data-labels") || "{}");
  var status = document.getElementById("basket-status");

  function say(text) { if (status) { status.textContent = text; } }

  // The API through the pages' one caller (api.js); a refusal is said with the page's sentence.
  function call(method, url, body) {
    return window.OrtakApi.call(method, url, body).catch(function (failure) {
      throw new Error(L.error.replace("%(reason)s", failure.message));
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
  var current = null;

  function show(zip) {
    if (!zip || !bar) { return; }  // an audit view has no zip controls
    current = zip;
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

  // The usage declared in the zip form: the zip's, and a link's that shares the originals.
  function declared() {
    var declaration = { platform: document.getElementById("z-platform").value };
    ["territory", "from", "to", "purpose", "programme"].forEach(function (k) {
      declaration[k] = document.getElementById("z-" + k).value.trim();
    });
    return declaration;
  }

  var zipForm = document.getElementById("zip-form");
  // A zip another member asked for is read under the reader's own declaration (the API's
  // query parameters): each item passes the rights for it, and the use is recorded as theirs.
  if (download) download.addEventListener("click", function (e) {
    if (!current || current.yours) { return; }
    e.preventDefault();
    if (!zipForm.checkValidity()) {
      say(L.declare_to_download);
      zipForm.reportValidity();
      return;
    }
    window.location.href = download.getAttribute("href") + "?" + new URLSearchParams(declared()).toString();
  });
  if (zipForm) zipForm.addEventListener("submit", function (e) {
    e.preventDefault();
    call("POST", api + "/zip", { declaration: declared() }).then(function (data) { show(data.zip); }, fail);
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
      if (document.getElementById("link-originals").checked) {
        // The use is declared when the link is made; every read of an original through it is checked
        // and recorded with this declaration (API.md, POST /api/v1/shares).
        body.renditions = ["poster", "proxy", "original"];
        body.declaration = declared();
      }
      call("POST", "/api/v1/shares", body).then(function (data) {
        document.getElementById("link-url").textContent = data.url;
        say(L.link_made);
      }, fail);
    });
  }
})();
