// The connections page: live state and counters, refreshed from /api/v1/connections.
"use strict";
(function () {
  var table = document.querySelector("[data-live-connections]");
  if (!table || !window.okp) return;
  var states = window.okp.i18n();
  function fmt(n, digits) {
    if (n === null || n === undefined) return "–";
    return Number(n).toLocaleString(document.body.dataset.lang || "ko", { maximumFractionDigits: digits || 0 });
  }
  function when(text) {
    if (!text) return "";
    var d = new Date(text);
    return isNaN(d) ? text : d.toLocaleString(document.body.dataset.lang || "ko");
  }
  function refresh() {
    window.okp.json("/api/v1/connections").then(function (list) {
      list.forEach(function (c) {
        var row = table.querySelector('tr[data-connection="' + c.id + '"]');
        if (!row) return;
        var s = c.status;
        var set = function (field, text) {
          var cell = row.querySelector('[data-field="' + field + '"]');
          if (cell) cell.textContent = text;
          return cell;
        };
        var state = set("state", states[s.state] || s.state);
        if (state) state.className = "status status-" + s.state;
        set("points", fmt(s.points));
        set("points_per_s", fmt(s.points_per_s, 1));
        set("last_value_at", when(s.last_value_at));
        set("rejected_total", fmt(s.rejected_total));
        set("restarts", fmt(s.restarts));
        set("buffer_fill", Math.round(s.buffer_fill * 100) + "%");
        set("last_error", s.last_error || "");
      });
    }).catch(function () { /* the next tick tries again */ });
  }
  setInterval(refresh, 3000);
})();
