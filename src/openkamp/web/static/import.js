// Import wizard: upload with progress (XHR), what was detected and why, fixes (kind, header
// row, time columns, roles of columns, bulk actions for wide files, a new machine on the spot),
// then follow the import job. Nothing is written before "Import".
"use strict";
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var words = okp.i18n();
  var token = null, preview = null;
  var $ = function (id) { return document.getElementById(id); };
  // The roles a column can take, per kind of data (the time column is chosen above the table).
  var ROLES = { timeseries: ["signal", "label", "id", "ignore"], records: ["input", "label", "id", "group", "ignore"] };

  function step(n) {
    document.querySelectorAll("#steps li").forEach(function (li) {
      if (li.dataset.step === String(n)) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
  }
  function text(tag, value, cls) {
    var e = document.createElement(tag);
    e.textContent = value === null || value === undefined ? "" : String(value);
    if (cls) e.className = cls;
    return e;
  }
  function option(value, label) { var o = text("option", label); o.value = value; return o; }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var file = $("file").files[0];
    if (!file) return;
    var data = new FormData();
    data.append("file", file);
    var xhr = new XMLHttpRequest();
    var bar = $("upload-progress"), status = $("upload-status"), button = $("upload-button");
    bar.hidden = false; bar.value = 0; button.disabled = true;
    status.textContent = words.uploading;
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        bar.value = ev.loaded / ev.total;
        status.textContent = words.uploading + " " + Math.round(100 * ev.loaded / ev.total) + " %";
        if (ev.loaded === ev.total) status.textContent = words.checking;
      }
    });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status >= 400 || !body.token) {
        var er = body.error || { message: xhr.status + " " + xhr.statusText };
        status.textContent = er.message + (er.hint ? " — " + er.hint : "");
        status.className = "error";
        return;
      }
      bar.value = 1;
      status.textContent = "";
      token = body.token;
      show(body);
    });
    xhr.addEventListener("error", function () { button.disabled = false; status.textContent = words.network; });
    xhr.open("POST", "/import/stage");
    xhr.setRequestHeader("X-CSRF-Token", okp.csrf);
    xhr.send(data);
  });

  function facts(p) {
    var dl = $("detected");
    dl.innerHTML = "";
    // How the times are written, as an example time in words (not the strptime pattern).
    var time = p.time_columns && p.time_columns.length ? p.time_columns.join(" + ") + (p.time_example ? " (" + p.time_example + ")" : "") : words.none;
    [[words.data_kind, words["kind_" + p.kind]],
     [words.header_at, p.header_row === null ? "–" : String(p.header_row + 1) + (p.header_rows > 1 ? " – " + (p.header_row + p.header_rows) : "")],
     [words.encoding, p.details.encoding || "–"], [words.timestamp, time],
     [words.equipment, p.equipment || words.unknown]].forEach(function (kv) {
      dl.appendChild(text("dt", kv[0]));
      dl.appendChild(text("dd", kv[1]));
    });
    var reasons = $("kind-reasons"); reasons.innerHTML = "";
    (p.kind_reasons || []).forEach(function (r) { reasons.appendChild(text("li", r)); });
    var notes = $("notes"); notes.innerHTML = "";
    (p.notes || []).forEach(function (r) { notes.appendChild(text("li", r)); });
    $("title-rows").hidden = !(p.title && p.title.length);
    $("title-text").textContent = (p.title || []).join("\n");
  }

  function fixes(p) {
    $("kind").value = p.kind;
    $("dataset-field").hidden = p.kind !== "records";
    if (p.kind === "records" && !$("dataset").value) $("dataset").value = p.file.replace(/\.[^.]+$/, "");
    var sheet = $("sheet"); sheet.innerHTML = "";
    (p.sheets || []).forEach(function (n) { sheet.appendChild(option(n, n)); });
    sheet.value = p.sheet || "";
    $("sheet-field").hidden = !(p.sheets && p.sheets.length > 1);
    $("header-row").value = p.header_row === null ? "" : p.header_row + 1;
    $("header-rows").value = String(p.header_rows || 1);
    [["time-col", 0, words.none], ["time-col2", 1, words.no_second]].forEach(function (spec) {
      var sel = $(spec[0]); sel.innerHTML = "";
      sel.appendChild(option("", spec[2]));
      p.header.forEach(function (h) { sel.appendChild(option(h, h)); });
      sel.value = (p.time_columns || [])[spec[1]] || "";
    });
    var bulk = $("bulk-kind"); bulk.innerHTML = "";
    ROLES[p.kind].forEach(function (k) { bulk.appendChild(option(k, words[k])); });
  }

  function show(p) {
    preview = p;
    step(2);
    $("step-mapping").hidden = false;
    facts(p);
    fixes(p);
    var select = $("equipment");
    if (p.equipment && !Array.prototype.some.call(select.options, function (o) { return o.value === p.equipment; })) {
      select.insertBefore(option(p.equipment, p.equipment), select.lastElementChild);
    }
    select.value = p.equipment || "";
    var sample = $("sample");
    sample.innerHTML = "";
    var head = document.createElement("tr");
    p.header.forEach(function (h) { head.appendChild(text("th", h)); });
    sample.appendChild(document.createElement("thead")).appendChild(head);
    var body = sample.appendChild(document.createElement("tbody"));
    p.rows.forEach(function (r) {
      var tr = body.appendChild(document.createElement("tr"));
      r.forEach(function (v) { tr.appendChild(text("td", v)); });
    });
    var list = $("known-signals");
    list.innerHTML = "";
    p.signals.forEach(function (s) { list.appendChild(option(s, s)); });
    var tbody = $("mapping").querySelector("tbody");
    tbody.innerHTML = "";
    p.columns.forEach(function (c) {
      if (c.kind === "time") return; // chosen with the time selects above
      var tr = tbody.appendChild(document.createElement("tr"));
      tr.dataset.column = c.column;
      var pick = document.createElement("input");
      pick.type = "checkbox"; pick.className = "pick-col"; pick.setAttribute("aria-label", c.column);
      tr.appendChild(document.createElement("td")).appendChild(pick);
      tr.appendChild(text("td", c.column));
      var kind = document.createElement("select");
      kind.className = "kind";
      kind.setAttribute("aria-label", c.column);
      ROLES[p.kind].forEach(function (k) { kind.appendChild(option(k, words[k])); });
      kind.value = ROLES[p.kind].indexOf(c.kind) >= 0 ? c.kind : ROLES[p.kind][0];
      tr.appendChild(document.createElement("td")).appendChild(kind);
      var td = tr.appendChild(document.createElement("td"));
      var target = document.createElement("input");
      target.className = "target";
      target.value = c.target;
      target.setAttribute("aria-label", c.column);
      if (p.kind === "timeseries") {
        target.setAttribute("list", "known-signals");
        td.appendChild(target);
        td.appendChild(text("span", c.exists ? words.exists : words["new"], c.exists ? "tag-exists" : "tag-new"));
      } else {
        target.readOnly = true;
        td.appendChild(target);
      }
      tr.appendChild(text("td", (c.sample || []).join(", "), "muted small"));
    });
    filter();
    $("mapping-error").hidden = true;
  }

  // Bulk actions for wide files: a text filter narrows the rows; all / none tick the visible
  // ones; "apply" gives every ticked row the chosen role.
  function rows() { return Array.prototype.slice.call($("mapping").querySelectorAll("tbody tr")); }
  function visible() { return rows().filter(function (tr) { return !tr.hidden; }); }
  function count() {
    var n = rows().filter(function (tr) { return tr.querySelector(".pick-col").checked; }).length;
    $("bulk-count").textContent = n ? words.selected.replace("{n}", n) : "";
  }
  function filter() {
    var q = $("bulk-filter").value.trim().toLowerCase();
    rows().forEach(function (tr) { tr.hidden = q !== "" && tr.dataset.column.toLowerCase().indexOf(q) < 0; });
    count();
  }
  $("bulk-filter").addEventListener("input", filter);
  $("bulk-all").addEventListener("click", function () { visible().forEach(function (tr) { tr.querySelector(".pick-col").checked = true; }); count(); });
  $("bulk-none").addEventListener("click", function () { rows().forEach(function (tr) { tr.querySelector(".pick-col").checked = false; }); count(); });
  $("mapping").addEventListener("change", function (e) { if (e.target.classList.contains("pick-col")) count(); });
  $("bulk-apply").addEventListener("click", function () {
    var role = $("bulk-kind").value;
    rows().forEach(function (tr) { if (tr.querySelector(".pick-col").checked) tr.querySelector(".kind").value = role; });
  });

  function options() {
    var kind = $("kind").value;
    var opts = { kind: kind };
    var eq = $("equipment").value;
    if (eq && eq !== "__new__") opts.equipment = eq;
    if (preview && preview.sheets && preview.sheets.length > 1 && $("sheet").value !== preview.sheet) opts.sheet = $("sheet").value;
    var row = parseInt($("header-row").value, 10);
    if (preview && !isNaN(row) && (row - 1 !== preview.header_row || Number($("header-rows").value) !== preview.header_rows)) {
      opts.header_row = row - 1;
      opts.header_rows = Number($("header-rows").value);
    }
    var times = [$("time-col").value, $("time-col2").value].filter(function (v) { return v; });
    var before = (preview && preview.time_columns) || [];
    if (times.join("\u0000") !== before.join("\u0000")) opts.time_columns = times;
    if (kind === "records") {
      opts.roles = {};
      if ($("dataset").value.trim()) opts.dataset = $("dataset").value.trim();
      rows().forEach(function (tr) { opts.roles[tr.dataset.column] = tr.querySelector(".kind").value; });
      // "No time": the found time column is kept as a column of the table, not read as times.
      if (!times.length && before.length) before.forEach(function (c) { opts.roles[c] = "id"; });
      return opts;
    }
    opts.columns = {}; opts.label_columns = []; opts.ignore_columns = []; opts.id_columns = [];
    rows().forEach(function (tr) {
      var col = tr.dataset.column, role = tr.querySelector(".kind").value, target = tr.querySelector(".target").value.trim();
      if (role === "ignore") { opts.ignore_columns.push(col); return; }
      if (role === "id") { opts.id_columns.push(col); return; }
      if (role === "label") opts.label_columns.push(col);
      if (target) opts.columns[col] = target;
    });
    return opts;
  }
  function fail(e) { var box = $("mapping-error"); box.textContent = e.message; box.hidden = false; }
  function again(opts) {
    return okp.json("/import/preview", { method: "POST", body: { token: token, options: opts } }).then(show, fail);
  }

  $("recheck").addEventListener("click", function () { again(options()); });
  // A change of what the file is re-reads it: the columns' roles are detected again.
  function layoutChanged() {
    var opts = options();
    var untimed = {};
    ((preview && preview.time_columns) || []).forEach(function (c) { if (opts.roles && opts.roles[c]) untimed[c] = opts.roles[c]; });
    delete opts.columns; delete opts.label_columns; delete opts.ignore_columns; delete opts.id_columns; delete opts.roles;
    if (Object.keys(untimed).length) opts.roles = untimed;
    again(opts);
  }
  ["kind", "sheet", "header-row", "header-rows", "time-col", "time-col2"].forEach(function (id) { $(id).addEventListener("change", layoutChanged); });
  $("equipment").addEventListener("change", function () {
    var isNew = $("equipment").value === "__new__";
    $("new-machine").hidden = !isNew;
    if (!isNew) layoutChanged(); // a new equipment: match its own signals again
  });

  // A new machine on the spot: under a line, or a new line of a site, or a new site.
  function newMachineFields() {
    var newLine = $("nm-line").value === "__new__", newSite = newLine && $("nm-site").value === "__new__";
    document.querySelectorAll("#new-machine .nm-new-line").forEach(function (e) { e.hidden = !newLine; });
    document.querySelectorAll("#new-machine .nm-new-site").forEach(function (e) { e.hidden = !newSite; });
  }
  if ($("nm-line")) {
    $("nm-line").addEventListener("change", newMachineFields);
    $("nm-site").addEventListener("change", newMachineFields);
    newMachineFields();
    $("nm-create").addEventListener("click", function () {
      var body = { label: $("nm-name").value };
      if ($("nm-line").value !== "__new__") body.line_id = $("nm-line").value;
      else {
        body.new_line = $("nm-line-name").value;
        if ($("nm-site").value !== "__new__") body.site_id = $("nm-site").value;
        else body.new_site = $("nm-site-name").value;
      }
      okp.json("/import/equipment", { method: "POST", body: body }).then(function (made) {
        var select = $("equipment");
        select.insertBefore(option(made.path, made.label + " (" + made.path + ")"), select.lastElementChild);
        select.value = made.path;
        $("new-machine").hidden = true;
        layoutChanged();
      }, fail);
    });
  }

  $("run-import").addEventListener("click", function () {
    $("run-import").disabled = true;
    okp.json("/import/run", { method: "POST", body: { token: token, options: options() } }).then(function (out) {
      step(3);
      $("step-mapping").hidden = true;
      $("step-run").hidden = false;
      if (out.report) { window.location.assign("/import/" + (out.report.import_id || out.report.previous_import_id)); return; }
      return okp.followJob(out.job.id, function (job) {
        $("run-progress").value = job.progress || 0;
        $("run-status").textContent = (words[job.status] || job.status) + (job.message_text || job.message ? " — " + (job.message_text || job.message) : "");
      }).then(function (job) {
        if (job.status !== "done") { $("run-status").textContent = job.error_text || job.error || job.status; $("run-status").className = "error"; return; }
        var r = job.result.report;
        if (r.status === "skipped") $("run-status").textContent = words.skipped;
        window.location.assign("/import/" + (r.import_id || r.previous_import_id));
      });
    }).catch(function (e) { $("run-import").disabled = false; fail(e); });
  });
})();
