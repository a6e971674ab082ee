// How the pages' scripts call the JSON API with the browser session (API.md): the page's CSRF
// token (<meta name="csrf-token">) on every request, JSON in and out, and a refusal as an
// OrtakApi.Failure that carries the HTTP status (0: no answer at all) and the API's error object
// {code, message, details}, so each page says it its own way (messages.js turns codes into the
// page's language). A plain script, no bundler: pages load it before the scripts that use
// window.OrtakApi (upload.js, basket_add.js, baskets.js, asset.js, lookup.js).
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // The headers of a call: JSON wanted, the CSRF token, and any given.
  function headers(extra) {
    var out = { "Accept": "application/json", "X-CSRFToken": csrf() };
    for (var k in (extra || {})) { if (Object.prototype.hasOwnProperty.call(extra, k)) { out[k] = extra[k]; } }
    return out;
  }

  // The `error` of an error body given as text; {} when it is not one.
  function errorOf(text) {
    try { return (JSON.parse(text) || {}).error || {}; } catch (e) { return {}; }
  }

  function Failure(status, error) {
    this.name = "OrtakApiFailure";
    this.status = status;
    this.error = error || {};
    var first = ((this.error.details || {}).errors || [])[0];
    // The service's English sentence (the first field error's, when there are some): what a page
    // shows when it has no sentence of its own for the code.
    this.message = (first && first.message) || this.error.message || (status ? String(status) : "");
  }
  Failure.prototype = Object.create(Error.prototype);
  Failure.prototype.constructor = Failure;

  // method, url, body (a value sent as JSON; with options.raw, sent as it is: a File, a Blob),
  // options.headers -> a Promise of the answer's JSON ({} for 204), or a rejected Failure.
  function call(method, url, body, options) {
    options = options || {};
    var init = { method: method, credentials: "same-origin", headers: headers(options.headers) };
    if (body !== undefined) {
      if (options.raw) {
        init.body = body;
      } else {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
    }
    return fetch(url, init).then(function (r) {
      if (r.status === 204) { return {}; }
      return r.text().then(function (text) {
        var data;
        try { data = text ? JSON.parse(text) : {}; } catch (e) { data = null; }
        if (!r.ok) { throw new Failure(r.status, data && data.error); }
        if (data === null) { throw new Failure(r.status, { code: "not_json", message: "The answer is not JSON." }); }
        return data;
      });
    }, function () { throw new Failure(0, {}); });
  }

  window.OrtakApi = { call: call, csrf: csrf, headers: headers, errorOf: errorOf, Failure: Failure };
}());
