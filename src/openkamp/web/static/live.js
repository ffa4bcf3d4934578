// The overview, live: each machine's latest values and state, and the open alerts, from the
// server-sent events of /api/v1/live/events (no reload). The page marks what to update: a
// machine's card [data-equipment-id] with its [data-live-state], a signal's row
// [data-signal-id] with its [data-live-value], the alert list [data-live-alerts] (each alert
// [data-alert-id], rendered by the server as the page renders it), and the summary of the
// machines by level [data-level-count] (counted again from the cards when an alert raises one).
"use strict";
(function () {
  var cards = document.querySelectorAll("[data-equipment-id]");
  var alertList = document.querySelector("[data-live-alerts]");
  if ((!cards.length && !alertList) || typeof EventSource === "undefined") return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
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
  // An open alert makes its machine's card at least as urgent as the alert (never less: the
  // card's other reasons stay until the page is loaded again).
  var RANK = { nodata: 0, ok: 0, warning: 1, critical: 2 };
  function raise(equipmentId, level, label) {
    var card = equipmentId && document.querySelector('[data-equipment-id="' + equipmentId + '"]');
    if (!card || (RANK[card.dataset.level] || 0) >= RANK[level]) return;
    card.classList.remove("state-" + card.dataset.level);
    card.classList.add("state-" + level);
    card.dataset.level = level;
    var badge = card.querySelector("header .level");
    if (badge) {
      badge.className = "level level-" + level;
      badge.textContent = label;
    }
  }
  // The summary at the top ("정상 4"): how many cards are at each level, as the cards show it.
  function recount() {
    var counts = {};
    document.querySelectorAll("[data-equipment-id]").forEach(function (card) {
      counts[card.dataset.level] = (counts[card.dataset.level] || 0) + 1;
    });
    document.querySelectorAll("[data-level-count]").forEach(function (badge) {
      var n = counts[badge.dataset.levelCount] || 0;
      var cell = badge.querySelector("[data-count]");
      if (cell) cell.textContent = String(n);
      badge.hidden = !n;
    });
  }
  source.addEventListener("alerts", function (message) {
    var body;
    try { body = JSON.parse(message.data); } catch (e) { return; }
    if (!alertList) return;
    if (body.more) { window.location.reload(); return; } // a burst: the page's list, afresh
    (body.alerts || []).forEach(function (a) {
      var old = alertList.querySelector('[data-alert-id="' + a.id + '"]');
      if (a.status === "closed") {
        if (old) old.remove();
        return;
      }
      var box = document.createElement("template");
      box.innerHTML = a.html.trim();
      var item = box.content.firstElementChild;
      if (!item) return;
      item.querySelectorAll('input[name="csrf_token"]').forEach(function (input) { input.value = csrf; });
      item.classList.add("live-new");
      if (old) old.replaceWith(item);
      else alertList.insertBefore(item, alertList.firstChild);
      if (a.status === "open") raise(a.equipment_id, a.level, a.level_label);
    });
    recount();
    var empty = document.querySelector("[data-alerts-empty]");
    if (empty && alertList.children.length) empty.remove();
    var count = document.querySelector('[data-testid="open-count"]');
    if (count && body.open_label) count.textContent = "(" + body.open_label + ")";
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
