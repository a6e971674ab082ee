/* "Add to basket" on an asset's page: the player's marked segment (its in/out points, as
   timecodes of the master) or the whole asset, into one of the user's baskets they may change,
   or a new one, through the baskets API (POST /api/v1/baskets, POST /api/v1/baskets/{id}/items). */
(function () {
  "use strict";
  var dialog = document.getElementById("basket-dialog");
  var opener = document.getElementById("add-to-basket");
  if (!dialog || !opener) { return; }
  var L = JSON.parse(dialog.getAttribute("data-labels") || "{}");
  var asset = dialog.getAttribute("data-asset");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var tool = document.getElementById("player-tool");
  var select = document.getElementById("add-basket");
  var nameInput = document.getElementById("add-basket-name");
  var status = document.getElementById("add-basket-status");
  var segment = document.getElementById("add-segment");
  var whole = document.getElementById("add-whole");

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }

  function call(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRFToken": csrf } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) {
          var err = data.error || {};
          var first = ((err.details || {}).errors || [])[0];
          throw new Error((first && first.message) || err.message || String(r.status));
        }
        return data;
      });
    });
  }

  function marks() {
    var a = tool ? tool.dataset["in"] : "", b = tool ? tool.dataset.out : "";
    return a && b ? { "in": a, out: b } : null;
  }

  function showName() {
    var fresh = select.value === "";
    nameInput.disabled = !fresh;
    nameInput.hidden = !fresh;
    document.querySelector('label[for="add-basket-name"]').hidden = !fresh;
  }

  function open() {
    status.textContent = "";
    var m = marks();
    segment.disabled = !m;
    document.getElementById("add-segment-points").textContent = m ? m["in"] + " – " + m.out : "";
    (m ? segment : whole).checked = true;
    select.textContent = "";
    var fresh = document.createElement("option");
    fresh.value = "";
    fresh.textContent = L["new"];
    select.appendChild(fresh);
    call("GET", "/api/v1/baskets").then(function (data) {
      data.baskets.filter(function (b) { return b.access === "owner" || b.access === "edit"; }).forEach(function (b) {
        var o = document.createElement("option");
        o.value = b.id;
        o.textContent = b.name;
        select.appendChild(o);
      });
      if (select.options.length > 1) { select.selectedIndex = 1; }
      showName();
    }, function (err) { status.textContent = fill(L.failed, { reason: err.message }); showName(); });
    showName();
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
  }

  opener.addEventListener("click", open);
  select.addEventListener("change", showName);
  document.getElementById("add-basket-cancel").addEventListener("click", function () { dialog.close(); });
  document.getElementById("basket-add-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { asset_id: asset };
    var m = marks();
    if (segment.checked && m) { body["in"] = m["in"]; body.out = m.out; }
    var chosen = select.value
      ? Promise.resolve({ id: select.value, name: select.options[select.selectedIndex].textContent })
      : (nameInput.value.trim() ? call("POST", "/api/v1/baskets", { name: nameInput.value.trim() })
                                : Promise.reject(new Error(L.name_needed)));
    chosen.then(function (basket) {
      return call("POST", "/api/v1/baskets/" + encodeURIComponent(basket.id) + "/items", body).then(function () {
        status.textContent = fill(L.added, { name: basket.name }) + " ";
        var link = document.createElement("a");
        link.href = "/baskets/" + encodeURIComponent(basket.id);
        link.id = "add-basket-open";
        link.textContent = L.open;
        status.appendChild(link);
      });
    }).catch(function (err) { status.textContent = fill(L.failed, { reason: err.message }); });
  });
})();
