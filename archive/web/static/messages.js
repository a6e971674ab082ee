// Service messages in the page's language. The table is archive/web/messages.py, handed over
// as a JSON data attribute (data-messages); placeholders `%(name)s` are filled the same way as
// messages.fill() there: a code the table does not know, or a missing parameter, keeps the
// service's English message.
(function () {
  "use strict";
  var has = Object.prototype.hasOwnProperty;

  function Messages(table, lang) {
    this.t = table || {};
    this.lang = lang || "tr";
  }

  Messages.prototype.fill = function (template, params) {
    var missing = false;
    var out = String(template).replace(/%\((\w+)\)s/g, function (all, name) {
      if (!params || !has.call(params, name)) { missing = true; return ""; }
      return String(params[name]);
    });
    return missing ? null : out;
  };

  // A number as the page's language writes it: the catalogue's signs (the server's CLDR data),
  // `digits` decimals (default: at most 1); the browser's Intl only when the catalogue has none.
  Messages.prototype.number = function (n, digits) {
    var sym = this.t.numbers;
    if (!sym || !sym.decimal) {
      try {
        return new Intl.NumberFormat(this.lang, digits === undefined ? { maximumFractionDigits: 1 } :
          { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
      } catch (e) { return String(n); }
    }
    var text = digits === undefined ? String(Math.round(Number(n) * 10) / 10) : Number(n).toFixed(digits);
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, sym.group || "");
    return parts.join(sym.decimal);
  };

  // A share (0..1) as a percentage, rounded down: a near-certain answer never reads as certain.
  Messages.prototype.percent = function (share) {
    // The epsilon: 0.29 * 100 is 28.999999999999996 in binary floating point, yet 29 per cent.
    var num = String(Math.floor(Number(share) * 100 + 1e-9));
    return this.fill((this.t.numbers || {}).percent || "%(num)s %", { num: num }) || num + " %";
  };

  // Bytes for people, as format_decimal_size() writes them on the server.
  Messages.prototype.size = function (n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var value = Number(n) || 0;
    var i = 0;
    while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
    return (i ? this.number(value) : String(Math.floor(value))) + " " + units[i];
  };

  // "title.tr" -> "Title (tr)"; "keywords[2]" -> "Keywords".
  Messages.prototype.fieldLabel = function (path) {
    var parts = String(path || "").split(/[.[\]]/).filter(Boolean);
    if (!parts.length) { return ""; }
    var fields = this.t.fields || {};
    var base = has.call(fields, parts[0]) ? fields[parts[0]] : parts[0];
    if (parts.length > 1 && (parts[0] === "title" || parts[0] === "description") &&
        ["tr", "az", "en"].indexOf(parts[1]) >= 0) {
      return base + " (" + parts[1] + ")";
    }
    return base;
  };

  Messages.prototype.value = function (field, name, v, sizes) {
    var self = this;
    if (typeof v === "number") {
      return sizes && (this.t.size_params || []).indexOf(name) >= 0 ? this.size(v) : this.number(v);
    }
    if (Array.isArray(v)) {
      var labels = (name === "choices" || name === "values") ?
        ((this.t.choices || {})[String(field).split(".")[0]] || {}) : {};
      return v.map(function (x) { return has.call(labels, x) ? labels[x] : String(x); }).join(", ");
    }
    return String(v);
  };

  // One entry of details.errors ({field, code, message, params}) as a sentence.
  Messages.prototype.fieldError = function (err) {
    var template = (this.t.field_errors || {})[err.code];
    var params = err.params || {};
    var byReason = (this.t.timecode_reasons || {})[params.reason];
    if (err.code === "invalid_timecode" && byReason) {
      template = byReason;
      if (typeof params.value === "number" && typeof params.max === "number") {
        params = Object.assign({}, params, { value: ("0" + params.value).slice(-2), max: ("0" + params.max).slice(-2) });
      }
    }
    if (template) {
      var values = {};
      for (var k in params) { if (has.call(params, k)) { values[k] = this.value(err.field || "", k, params[k]); } }
      values.field = this.fieldLabel(err.field);
      var text = this.fill(template, values);
      if (text !== null) { return text; }
    }
    return String(err.message || err.code || "");
  };

  // The field errors of an error body: details.errors, or the one error a service reported.
  Messages.prototype.fieldErrors = function (error) {
    var details = (error && error.details) || {};
    if (Array.isArray(details.errors) && details.errors.length) { return details.errors; }
    var params = {};
    for (var k in details) { if (has.call(details, k) && k !== "field") { params[k] = details[k]; } }
    return [{ field: details.field, code: error.code, message: error.message, params: params }];
  };

  // A top-level error for a person: by code, then by HTTP status (0: no answer at all).
  // A wrong_role: the action refused and the roles that may do it (messages.wrong_role()).
  Messages.prototype.wrongRole = function (details) {
    var t = this.t.wrong_role || {};
    var roles = details && details.roles, role = details && details.role;
    if (!Array.isArray(roles) || !roles.length || typeof role !== "string") { return t.bare || null; }
    var labels = t.roles || {};
    var values = {
      roles: roles.map(function (r) { return has.call(labels, r) ? labels[r] : String(r); }).join(", "),
      role: has.call(labels, role) ? labels[role] : role
    };
    var action = (t.actions || {})[details.action];
    if (!action) { return this.fill(t.no_action || "", values); }
    values.action = action;
    return this.fill(t.with_action || "", values);
  };

  Messages.prototype.apiError = function (status, error) {
    error = error || {};
    if (error.code === "wrong_role" && this.t.wrong_role) {
      var said = this.wrongRole(error.details || {});
      if (said) { return said; }
    }
    // An error whose reason has a sentence of its own (archive.web.messages.ERROR_REASONS).
    var reasons = (this.t.error_reasons || {})[error.code] || {};
    var why = (error.details || {}).reason;
    if (why && has.call(reasons, why)) { return reasons[why]; }
    var template = (this.t.api_errors || {})[error.code];
    if (template) {
      var values = {};
      var details = error.details || {};
      for (var k in details) { if (has.call(details, k)) { values[k] = this.value("", k, details[k], true); } }
      var text = this.fill(template, values);
      if (text !== null) { return text; }
    }
    if (error.message) { return String(error.message); }
    return this.statusText(status);
  };

  // A refused subtitle file (PUT .../transcripts/{lang}): the reason in the page's language with
  // the line of the fault (archive.web.messages.SUBTITLE_REASONS); null when the answer is not
  // one of those (the caller says it another way).
  Messages.prototype.subtitleError = function (status, error) {
    error = error || {};
    var d = error.details || {};
    var table = this.t.subtitle_reasons || {};
    var key = error.code === "invalid_subtitles" ? d.reason : (error.code === "body_too_large" ? "too_large" : null);
    if (!key || !has.call(table, key)) { return null; }
    var values = {};
    if (d.line !== undefined && d.line !== null) { values.line = String(d.line); }
    if (d.cue !== undefined && d.cue !== null) { values.cue = String(d.cue); }
    if (d.limit !== undefined && d.limit !== null) {
      values.limit = key === "too_large" ? this.size(d.limit) : this.number(d.limit, 0);
    }
    if (d.characters) { values.characters = [].concat(d.characters).join(", "); }
    return this.fill(table[key], values);
  };

  Messages.prototype.statusText = function (status) {
    var table = this.t.status_errors || {};
    if (!status) { return table.network; }
    if (status >= 500) { return table["5xx"]; }
    return table[String(status)] || table["5xx"];
  };

  Messages.prototype.assetError = function (code, detail) {
    var template = (this.t.asset_errors || {})[code];
    if (template) { return { message: template, detail: detail && detail !== template ? detail : null }; }
    return { message: null, detail: detail || null };
  };

  // A user as the API gives one ({name, organisation: {name}, email}), as the pages name them
  // (archive.web.present.person_name): "Ayşe Yılmaz (TRT)", or "a user of TRT" without a name.
  Messages.prototype.person = function (p) {
    if (!p) { return "—"; }
    var org = (p.organisation && p.organisation.name) || "";
    if (p.name) { return org ? p.name + " (" + org + ")" : String(p.name); }
    return this.fill(this.t.person_unnamed || "a user of %(organisation)s", { organisation: org || "—" });
  };

  Messages.prototype.status = function (name) {
    return (this.t.statuses || {})[name] || name;
  };

  window.OrtakMessages = {
    // The table of `el` or of the nearest element around it that carries one (a page hands it
    // over once, for all its forms).
    from: function (el) {
      var table = {};
      var holder = el && el.closest ? el.closest("[data-messages]") : null;
      try { table = JSON.parse((holder && holder.dataset.messages) || "{}"); } catch (e) { /* keep English */ }
      return new Messages(table, document.documentElement.lang);
    }
  };
}());
