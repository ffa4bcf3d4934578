// The job page: a live progress bar, then a link to what the job made.
"use strict";
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var words = okp.i18n();
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var message = document.getElementById("job-message");
  function target(job) {
    var r = job.result || {};
    if (r.next) return r.next;
    if (r.model) return "/models/" + encodeURIComponent(r.model.name) + "/" + r.model.version;
    if (r.report) return "/import/" + (r.report.import_id || r.report.previous_import_id);
    return null;
  }
  okp.followJob(box.dataset.job, function (job) {
    bar.value = job.progress || 0;
    status.textContent = words[job.status] || job.status;
    status.className = "status status-" + job.status;
    message.textContent = job.message_text || "";
  }).then(function (job) {
    var cancel = document.getElementById("job-cancel");
    if (cancel) cancel.hidden = true;
    if (job.status === "done") {
      bar.value = 1;
      var to = target(job);
      if (to) {
        document.getElementById("job-link").href = to;
        document.getElementById("job-next").hidden = false;
        setTimeout(function () { window.location.assign(to); }, 600);
      }
    } else {
      document.getElementById("job-error-text").textContent = job.error_text || words[job.status] || job.status;
      var hint = document.getElementById("job-error-hint");
      if (job.error_hint) { hint.querySelector("span").textContent = job.error_hint; hint.hidden = false; }
      document.getElementById("job-error").hidden = false;
    }
  }, function (e) {
    document.getElementById("job-error-text").textContent = e.message;
    document.getElementById("job-error").hidden = false;
  });
})();
