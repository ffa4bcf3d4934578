// The overview, live: each machine's latest values and state from the server-sent events of
// /api/v1/live/events (no reload). The page marks what to update: a machine's card
// [data-equipment-id] with its [data-live-state], a signal's row [data-signal-id] with its
// [data-live-value].
"use strict";
(function () {
  var cards = document.querySelectorAll("[data-equipment-id]");
  if (!cards.length || typeof EventSource === "undefined") return;
  var lang = document.body.dataset.lang || document.documentElement.lang || "ko";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 4 });
  var source = new EventSource("/api/v1/live/events");
  source.addEventListener("live", function (message) {
    var body;
    try { body = JSON.parse(message.data); } catch (e) { return; }
    (body.values || []).forEach(function (v) {
      var row = document.querySelector('[data-signal-id="' + v.signal_id + '"]');
      if (!row) return;
      var cell = row.querySelector("[data-live-value]");
      if (cell && cell.textContent !== number.format(v.value)) {
        cell.textContent = number.format(v.value);
        cell.title = new Date(v.ts).toLocaleString(lang);
        row.classList.remove("live-updated");
        void row.offsetWidth; // restart the highlight
        row.classList.add("live-updated");
      }
    });
    Object.keys(body.states || {}).forEach(function (id) {
      var card = document.querySelector('[data-equipment-id="' + id + '"]');
      var badge = card && card.querySelector("[data-live-state]");
      if (!badge) return;
      var s = body.states[id];
      badge.textContent = s.label;
      badge.className = "live-state live-" + s.state;
      badge.dataset.liveState = s.state;
    });
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
