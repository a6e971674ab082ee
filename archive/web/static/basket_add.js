/* "Add to basket" on an asset's page: the player's marked segment (its in/out points, as
   timecodes of the master) or the whole asset, into one of the user's baskets they may change,
   or a new one, through the baskets API (POST /api/v1/baskets, POST /api/v1/baskets/{id}/items)
   called with api.js (OrtakApi), which the page loads first. */
(function () {
  "use strict";
  var dialog = document.getElementById("basket-dialog");
  var opener = document.getElementById("add-to-basket");
  if (!dialog || !opener || !window.OrtakApi) { return; }
  var L = JSON.parse(dialog.getAttribute("data-labels") || "{}");
  var asset = dialog.getAttribute("data-asset");
  var tool = document.getElementById("player-tool");
  var select = document.getElementById("add-basket");
  var nameInput = document.getElementById("add-basket-name");
  var status = document.getElementById("add-basket-status");
  var segment = document.getElementById("add-segment");
  var whole = document.getElementById("add-whole");

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }

  // The API through the pages' one caller (api.js): CSRF token, JSON, errors as OrtakApi.Failure.
  var call = window.OrtakApi.call;

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
