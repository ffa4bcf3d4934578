// Import wizard: upload with progress (XHR), preview and mapping, then follow the import job.
"use strict";
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var words = okp.i18n();
  var token = null, preview = null;
  var $ = function (id) { return document.getElementById(id); };

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
    xhr.addEventListener("error", function () { button.disabled = false; status.textContent = "network error"; });
    xhr.open("POST", "/import/stage");
    xhr.setRequestHeader("X-CSRF-Token", okp.csrf);
    xhr.send(data);
  });

  function show(p) {
    preview = p;
    step(2);
    $("step-mapping").hidden = false;
    var facts = $("detected");
    facts.innerHTML = "";
    [[words.layout, p.layout], [words.encoding, p.details.encoding || "–"],
     [words.timestamp, p.timestamp_column + " (" + p.timestamp_format + ")"],
     [words.equipment, p.equipment || words.unknown]].forEach(function (kv) {
      facts.appendChild(text("dt", kv[0]));
      facts.appendChild(text("dd", kv[1]));
    });
    var select = $("equipment");
    if (p.equipment && !Array.prototype.some.call(select.options, function (o) { return o.value === p.equipment; })) {
      var o = text("option", p.equipment); o.value = p.equipment; select.appendChild(o);
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
    p.signals.forEach(function (s) { var o = document.createElement("option"); o.value = s; list.appendChild(o); });
    var tbody = $("mapping").querySelector("tbody");
    tbody.innerHTML = "";
    p.columns.forEach(function (c) {
      var tr = tbody.appendChild(document.createElement("tr"));
      tr.dataset.column = c.column;
      tr.appendChild(text("td", c.column));
      var kind = document.createElement("select");
      kind.className = "kind";
      kind.setAttribute("aria-label", c.column);
      ["signal", "label", "ignore"].forEach(function (k) {
        var o = text("option", words[k]); o.value = k; kind.appendChild(o);
      });
      kind.value = c.kind;
      tr.appendChild(document.createElement("td")).appendChild(kind);
      var td = tr.appendChild(document.createElement("td"));
      var target = document.createElement("input");
      target.className = "target";
      target.value = c.target;
      target.setAttribute("list", "known-signals");
      target.setAttribute("aria-label", c.column);
      td.appendChild(target);
      td.appendChild(text("span", c.exists ? words.exists : words.new, c.exists ? "tag-exists" : "tag-new"));
      tr.appendChild(text("td", c.sample.join(", "), "muted small"));
    });
    $("mapping-error").hidden = true;
  }

  function options() {
    var opts = { columns: {}, label_columns: [], ignore_columns: [] };
    var eq = $("equipment").value;
    if (eq) opts.equipment = eq;
    $("mapping").querySelectorAll("tbody tr").forEach(function (tr) {
      var col = tr.dataset.column, kind = tr.querySelector(".kind").value, target = tr.querySelector(".target").value.trim();
      if (kind === "ignore") { opts.ignore_columns.push(col); return; }
      if (kind === "label") opts.label_columns.push(col);
      if (target) opts.columns[col] = target;
    });
    return opts;
  }
  function fail(e) { var box = $("mapping-error"); box.textContent = e.message; box.hidden = false; }

  $("recheck").addEventListener("click", function () {
    okp.json("/import/preview", { method: "POST", body: { token: token, options: options() } }).then(show, fail);
  });
  $("equipment").addEventListener("change", function () {
    var opts = options();
    opts.columns = {}; // a new equipment: match its own signals again
    opts.label_columns = [];
    okp.json("/import/preview", { method: "POST", body: { token: token, options: opts } }).then(show, fail);
  });
  $("run-import").addEventListener("click", function () {
    $("run-import").disabled = true;
    okp.json("/import/run", { method: "POST", body: { token: token, options: options() } }).then(function (out) {
      step(3);
      $("step-mapping").hidden = true;
      $("step-run").hidden = false;
      if (out.report) { window.location.assign("/import/" + (out.report.import_id || out.report.previous_import_id)); return; }
      return okp.followJob(out.job.id, function (job) {
        $("run-progress").value = job.progress || 0;
        $("run-status").textContent = (words[job.status] || job.status) + (job.message ? " — " + job.message : "");
      }).then(function (job) {
        if (job.status !== "done") { $("run-status").textContent = job.error || job.status; $("run-status").className = "error"; return; }
        var r = job.result.report;
        if (r.status === "skipped") $("run-status").textContent = words.skipped;
        window.location.assign("/import/" + (r.import_id || r.previous_import_id));
      });
    }).catch(function (e) { $("run-import").disabled = false; fail(e); });
  });
})();
