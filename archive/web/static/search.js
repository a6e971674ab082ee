// The search page: the sort menu applies at once, and the search box suggests titles as you
// type (the API's search with as_you_type, whose last word is a prefix, until a space ends it). Without JavaScript
// the form still works: the sort applies with the Search button, and there are no suggestions.
(function () {
  "use strict";
  var form = document.querySelector("form.searchbar");
  if (!form) { return; }
  // Empty fields stay out of the address (as the permalink has it): disabled controls are not sent.
  function dropEmpty() {
    form.querySelectorAll("input[name], select[name]").forEach(function (field) {
      if (field.value === "" && field.type !== "checkbox" && field.type !== "radio") { field.disabled = true; }
    });
  }
  form.addEventListener("submit", dropEmpty);
  // Back to this page from the next one (the page cache): the fields work again.
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("[disabled]").forEach(function (field) { field.disabled = false; });
  });
  form.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { dropEmpty(); form.submit(); });
  });

  var input = document.getElementById("q"), list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null, seq = 0, active = -1;

  function close() {
    list.hidden = true; list.textContent = ""; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    var items = list.querySelectorAll("[role=option]");
    if (!items.length) { return; }
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
  }
  function show(hits) {
    list.textContent = "";
    hits.forEach(function (hit, i) {
      var li = document.createElement("li"), a = document.createElement("a");
      li.id = "suggestion-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
      a.href = "/assets/" + encodeURIComponent(hit.id);
      a.textContent = hit.title;  // text, never markup
      a.tabIndex = -1;
      li.appendChild(a); list.appendChild(li);
    });
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    active = -1;
  }
  function ask() {
    var typed = input.value, text = typed.trim(), mine = ++seq;
    if (text.length < 2) { close(); return; }
    // Titles in the page's language, as the result cards show them.
    var params = {q: text, per_page: "6"}, lang = document.documentElement.lang;
    // Only the word still being typed is a prefix: after a space (`dede `) the last word is
    // finished and is searched as a whole word. The API trims q, so the space itself would not
    // say so: as_you_type is left out instead.
    if (!/\s$/.test(typed)) { params.as_you_type = "1"; }
    if (["tr", "az", "en"].indexOf(lang) >= 0) { params.lang = lang; }
    var url = input.dataset.suggestUrl + "?" + new URLSearchParams(params);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : {hits: []}; })
      .then(function (body) { if (mine === seq) { show(body.hits || []); } })
      .catch(function () { if (mine === seq) { close(); } });
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = list.querySelectorAll("[role=option] a")[active].href;
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 200); });
}());
