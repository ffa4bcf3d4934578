// OpenKAMP: what every page's scripts share (no library, no external file).
"use strict";
window.okp = (function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  function i18n() {
    var el = document.getElementById("i18n");
    return el ? JSON.parse(el.textContent) : {};
  }
  // fetch with the session's CSRF token; resolves to the parsed JSON, rejects with the error text
  function json(url, options) {
    options = options || {};
    options.headers = Object.assign({ "X-CSRF-Token": csrf, "Accept": "application/json" }, options.headers || {});
    options.credentials = "same-origin";
    if (options.body && typeof options.body !== "string" && !(options.body instanceof FormData)) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.body);
    }
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var e = body && body.error ? body.error : { message: r.status + " " + r.statusText };
          throw new Error(e.message + (e.hint ? " — " + e.hint : ""));
        }
        return body;
      });
    });
  }
  // poll a job until it ends; onUpdate(job) on every answer
  function followJob(id, onUpdate) {
    return new Promise(function (resolve, reject) {
      function tick() {
        json("/api/v1/jobs/" + id).then(function (job) {
          onUpdate(job);
          if (job.status === "done" || job.status === "failed" || job.status === "cancelled") resolve(job);
          else setTimeout(tick, 700);
        }, reject);
      }
      tick();
    });
  }
  // behaviour the pages ask for with data- attributes (the CSP allows no inline event handlers):
  // <select data-autosubmit> sends its form when changed; <form data-confirm="…"> asks first
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.submit();
  });
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f && f.matches && f.matches("form[data-confirm]") && !window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
  });
  return { csrf: csrf, i18n: i18n, json: json, followJob: followJob };
})();
