/* A pooled training's page (its consumer): the progress bar follows the job, and the page
   reloads when the job ends to show the model and each owner's contribution. */
(function () {
  "use strict";
  var box = document.getElementById("pooled-job");
  if (!box || !box.getAttribute("data-follow")) return;
  var bar = document.getElementById("pooled-progress");
  okp.followJob(box.getAttribute("data-job"), function (job) {
    if (bar) bar.value = job.progress || 0;
  }).then(function () { window.location.reload(); }, function () {});
})();
