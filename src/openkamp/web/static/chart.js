// Signal explorer chart: one lane per signal, min/max per pixel column from the server.
// Every zoom or pan asks /api/v1/data/chart for exactly as many buckets as the chart has
// pixel columns, so the browser draws a few thousand numbers whatever the range holds.
// Drag: zoom to the selection. Shift+drag: pan. Wheel: zoom around the cursor.
// Double-click (or the reset button): the whole range. Arrow keys: pan; +/-: zoom.
// Hover: the values under the cursor. The view (from, to, live) is kept in the page's URL.
//
// Follow live (the "chart-live" box): the view keeps its span and ends now. The machine's
// server-sent events (/api/v1/live/events) say when a drawn signal got new points; the chart then
// reads its window again (at most once a second), and every LIVE_TICK ms anyway, so it follows
// without the stream too. Points are never appended from the events (they carry only the latest
// value per signal, coalesced): every point drawn comes from /api/v1/data/chart. Panning,
// selecting a range or resetting stops following; zooming and the quick ranges keep it.
//
// Gaps: the server returns only buckets that hold data. Two neighbouring buckets are joined
// unless the time between them is longer than GAP_SPACINGS of the signal's own usual spacing
// (sent with the page) and longer than 2.5 pixel columns: a per-shot machine logging every
// 42 s draws a line at every zoom, and a stoppage of several cycles still shows as a gap.
"use strict";
(function () {
  var el = document.getElementById("chart");
  if (!el) return;
  var cfg = JSON.parse(el.dataset.config);
  var TEXT = cfg.text || {};
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"];
  var NS = "http://www.w3.org/2000/svg";
  var M = { top: 8, right: 12, bottom: 26, left: 64 };
  var GAP_SPACINGS = 5;
  var full = cfg.extent.start ? [Date.parse(cfg.extent.start), Date.parse(cfg.extent.end) + 1] : null;
  var view = full ? full.slice() : null;
  if (full && cfg.view && cfg.view.start && cfg.view.end) {
    var a = Date.parse(cfg.view.start), b = Date.parse(cfg.view.end);
    if (isFinite(a) && isFinite(b) && b > a) view = [Math.max(a, full[0]), Math.min(b, full[1])];
    if (view[1] <= view[0]) view = full.slice();
  }
  var data = null, marks = null, pending = null, timer = null, requests = 0, parsed = [], markTimes = [];
  var busy = false, live = null, liveBox = document.getElementById("chart-live");
  var LIVE_TICK = 5000, LIVE_GAP = 1000, LIVE_PAD = 0.02;
  var lang = document.documentElement.lang;
  var fmtDay = new Intl.DateTimeFormat(lang, { timeZone: cfg.tz, month: "2-digit", day: "2-digit" });
  var fmtTime = new Intl.DateTimeFormat(lang, { timeZone: cfg.tz, hour: "2-digit", minute: "2-digit", hour12: false });
  var fmtSec = new Intl.DateTimeFormat(lang, { timeZone: cfg.tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  var fmtFull = new Intl.DateTimeFormat(lang, { timeZone: cfg.tz, dateStyle: "medium", timeStyle: "medium", hour12: false });
  var fmtParts = new Intl.DateTimeFormat("en-US", { timeZone: cfg.tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  el.tabIndex = 0;

  function note(text) {
    el.innerHTML = "";
    var n = document.createElement("div");
    n.className = "note";
    n.textContent = text;
    el.appendChild(n);
  }
  if (!cfg.signals.length) { note(el.dataset.empty); el.dataset.state = "empty"; return; }

  // -- times in the installation's zone (the inputs show wall-clock time there) -------------
  function wall(t) {
    var p = {};
    fmtParts.formatToParts(new Date(t)).forEach(function (x) { p[x.type] = x.value; });
    return p;
  }
  function zoneOffset(t) {
    var p = wall(t);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(t / 1000) * 1000;
  }
  function toInput(t) {
    var p = wall(t);
    return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute + ":" + p.second;
  }
  function fromInput(text) {
    if (!text) return NaN;
    var naive = Date.parse(text.length === 16 ? text + ":00Z" : text + "Z");
    if (!isFinite(naive)) return NaN;
    var t = naive - zoneOffset(naive);
    return naive - zoneOffset(t);
  }

  function plotWidth() { return Math.max(10, Math.round(el.clientWidth - M.left - M.right)); }
  function signalQuery() { return cfg.signals.map(function (s) { return "signal=" + s.id; }).join("&"); }
  function iso(t) { return encodeURIComponent(new Date(t).toISOString()); }

  function syncView() {
    var from = document.getElementById("chart-from"), to = document.getElementById("chart-to");
    if (from) from.value = toInput(view[0]);
    if (to) to.value = toInput(view[1]);
    var exp = document.getElementById("chart-export");
    if (exp) exp.href = "/api/v1/data/export?" + signalQuery() + "&start=" + iso(view[0]) + "&end=" + iso(view[1]) + "&lang=" + (cfg.lang || "ko");
    if (window.history && window.URL) {
      var u = new URL(window.location.href);
      u.searchParams.set("from", new Date(view[0]).toISOString());
      u.searchParams.set("to", new Date(view[1]).toISOString());
      if (live) u.searchParams.set("live", "1"); else u.searchParams.delete("live");
      window.history.replaceState(null, "", u.toString());
    }
  }

  function load() {
    clearTimeout(timer);
    syncView();
    timer = setTimeout(function () {
      if (pending) pending.abort();
      pending = new AbortController();
      var range = "&start=" + iso(view[0]) + "&end=" + iso(view[1]);
      var url = "/api/v1/data/chart?" + signalQuery() + range + "&width=" + Math.min(5000, plotWidth());
      el.dataset.state = "loading";
      busy = true;
      requests += 1;
      el.dataset.requests = String(requests);
      var asks = [okp.json(url, { signal: pending.signal })];
      if (cfg.markers && cfg.equipment) {
        asks.push(okp.json("/api/v1/data/markers?equipment=" + cfg.equipment + range, { signal: pending.signal }));
      }
      Promise.all(asks).then(function (bodies) {
        data = bodies[0];
        marks = bodies[1] || null;
        busy = false;
        draw();
        el.dataset.state = "ready";
        if (live && live.again) { live.again = false; soon(); }
      }, function (e) {
        if (e.name !== "AbortError") { busy = false; note(e.message); el.dataset.state = "error"; }
      });
    }, 60);
  }

  function ticks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n)));
    [1, 2, 5, 10].some(function (m) { if (span / (step * m) <= n) { step *= m; return true; } return false; });
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
    return out;
  }
  var TIME_STEPS = [1e3, 5e3, 15e3, 6e4, 3e5, 9e5, 36e5, 3 * 36e5, 6 * 36e5, 12 * 36e5, 864e5, 2 * 864e5, 7 * 864e5, 30 * 864e5];
  function timeTicks(lo, hi, n) {
    var step = TIME_STEPS.find(function (s) { return (hi - lo) / s <= n; }) || TIME_STEPS[TIME_STEPS.length - 1];
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
    return { ticks: out, step: step };
  }
  function svgEl(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function short(v) {
    var a = Math.abs(v);
    return a >= 1e4 || (a > 0 && a < 1e-2) ? v.toExponential(1) : +v.toPrecision(4) + "";
  }

  var svg, selRect, cursor, tip;
  var hoverPx = null;  // where the pointer is over the chart: a redraw shows its tip again
  function draw() {
    var W = el.clientWidth, H = el.clientHeight - 28, pw = W - M.left - M.right;
    el.innerHTML = "";
    parsed = [];
    svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H }, el);
    var n = cfg.signals.length, laneH = (H - M.top - M.bottom) / n;
    var x = function (t) { return M.left + (t - view[0]) / (view[1] - view[0]) * pw; };
    var tt = timeTicks(view[0], view[1], Math.max(2, Math.floor(pw / 110)));
    tt.ticks.forEach(function (t) {
      svgEl("line", { x1: x(t), x2: x(t), y1: M.top, y2: H - M.bottom, stroke: "#eef1f4" }, svg);
      var label = svgEl("text", { x: x(t), y: H - 8, "text-anchor": "middle", "font-size": 11, fill: "#5b6775" }, svg);
      label.textContent = tt.step >= 864e5 ? fmtDay.format(t) : tt.step < 6e4 ? fmtSec.format(t) : (fmtTime.format(t) === "00:00" ? fmtDay.format(t) : fmtTime.format(t));
    });
    // defect markers: one thin red line per labelled defect in the view
    var markNote = document.getElementById("chart-markers");
    if (marks) {
      marks.t.forEach(function (s) {
        var xx = x(Date.parse(s));
        if (xx >= M.left && xx <= W - M.right) svgEl("line", { class: "marker", x1: xx, x2: xx, y1: M.top, y2: H - M.bottom }, svg);
      });
      var markLabel = cfg.lang === "en" ? marks.label_en : marks.label;
      if (markNote) {
        markNote.textContent = marks.truncated ? (TEXT.markers_many || "").replace("{label}", markLabel).replace("{n:,}", marks.count.toLocaleString())
          : (marks.count ? markNote.dataset.help.replace("{label}", markLabel).replace("{n}", marks.count.toLocaleString()) : "");
      }
      markTimes = marks.t.map(function (s) { return Date.parse(s); });
      el.dataset.markers = String(marks.truncated ? 0 : marks.t.length);
    }
    var legend = document.createElement("div");
    legend.className = "legend";
    var any = false, segments = 0;
    var step = (view[1] - view[0]) / data.width;
    cfg.signals.forEach(function (s, i) {
      var top = M.top + i * laneH, bottom = top + laneH - 6, colour = COLOURS[i % COLOURS.length];
      var series = data.series[s.name];
      svgEl("line", { x1: M.left, x2: W - M.right, y1: bottom + 3, y2: bottom + 3, stroke: "#dde3ea" }, svg);
      var item = document.createElement("span");
      item.innerHTML = '<i style="background:' + colour + '"></i>';
      item.appendChild(document.createTextNode(s.label + (s.unit ? " [" + s.unit + "]" : "")));
      legend.appendChild(item);
      if (!series || !series.t.length) return;
      var lo = Infinity, hi = -Infinity;
      series.min.forEach(function (v) { if (v !== null && v < lo) lo = v; });
      series.max.forEach(function (v) { if (v !== null && v > hi) hi = v; });
      if (!isFinite(lo)) return;
      any = true;
      if (hi === lo) { hi += 1; lo -= 1; }
      var pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
      var y = function (v) { return bottom - (v - lo) / (hi - lo) * (bottom - top - 4); };
      ticks(lo, hi, Math.max(2, Math.floor(laneH / 30))).forEach(function (v) {
        var yy = y(v);
        if (yy < top || yy > bottom) return;
        svgEl("line", { x1: M.left - 4, x2: M.left, y1: yy, y2: yy, stroke: "#8795a1" }, svg);
        var lab = svgEl("text", { x: M.left - 6, y: yy + 4, "text-anchor": "end", "font-size": 10, fill: "#5b6775" }, svg);
        lab.textContent = short(v);
      });
      // Each bucket: a vertical stroke from min to max, joined to the next one unless the data
      // is silent for longer than several of the signal's own spacings (a real gap).
      var maxGap = Math.max(2.5 * step, GAP_SPACINGS * 1000 * (s.spacing || 0));
      var d = "", dots = "", prev = null, runStart = -1, times = [];
      var sparse = series.t.length < pw / 6;  // few points on screen: mark each one
      for (var k = 0; k < series.t.length; k++) {
        var mn = series.min[k], mx = series.max[k], tk = Date.parse(series.t[k]);
        times.push(tk);
        if (mn === null || mx === null) { prev = null; continue; }
        var xx = x(tk + step / 2).toFixed(1);
        var join = prev !== null && tk - prev <= maxGap;
        if (!join) {
          if (runStart >= 0 && runStart === k - 1) dots += "M" + x(prev + step / 2).toFixed(1) + " " + y(series.min[k - 1]).toFixed(1) + "h0.01";
          runStart = k;
          segments += 1;
        }
        d += (join ? "L" : "M") + xx + " " + y(mn).toFixed(1) + "L" + xx + " " + y(mx).toFixed(1);
        if (sparse) dots += "M" + xx + " " + y(mn).toFixed(1) + "h0.01";
        prev = tk;
      }
      if (runStart === series.t.length - 1 && prev !== null) dots += "M" + x(prev + step / 2).toFixed(1) + " " + y(series.min[runStart]).toFixed(1) + "h0.01";
      svgEl("path", { d: d, fill: "none", stroke: colour, "stroke-width": 1.2, "stroke-linejoin": "round", class: "series" }, svg);
      if (dots) svgEl("path", { d: dots, fill: "none", stroke: colour, "stroke-width": 4, "stroke-linecap": "round" }, svg);
      parsed.push({ s: s, series: series, times: times, maxGap: maxGap, colour: colour });
    });
    el.dataset.segments = String(segments);
    var newest = -Infinity;
    parsed.forEach(function (p) { if (p.times.length) newest = Math.max(newest, p.times[p.times.length - 1]); });
    el.dataset.newest = isFinite(newest) ? new Date(newest).toISOString() : "";
    svgEl("rect", { x: M.left, y: M.top, width: pw, height: H - M.top - M.bottom, fill: "none", stroke: "#b6c2cf" }, svg);
    cursor = svgEl("line", { x1: 0, x2: 0, y1: M.top, y2: H - M.bottom, stroke: "#5b6775", "stroke-dasharray": "3 3", visibility: "hidden" }, svg);
    selRect = svgEl("rect", { class: "sel", x: 0, y: M.top, width: 0, height: H - M.top - M.bottom, visibility: "hidden" }, svg);
    tip = document.createElement("div");
    tip.className = "tip";
    tip.hidden = true;
    el.appendChild(tip);
    el.appendChild(legend);
    if (!any) { var nd = document.createElement("div"); nd.className = "note"; nd.textContent = el.dataset.empty; el.appendChild(nd); }
    var label = document.getElementById("chart-range");
    if (label) label.textContent = fmtFull.format(view[0]) + " ~ " + fmtFull.format(view[1]);
    if (hoverPx !== null) hover(hoverPx);  // new data under a still pointer: its values
  }

  // -- hover: the bucket nearest the cursor in each lane -----------------------------------
  function nearest(times, t) {
    var lo = 0, hi = times.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
    if (lo > 0 && Math.abs(times[lo - 1] - t) < Math.abs(times[lo] - t)) lo -= 1;
    return lo;
  }
  function hover(px) {
    if (!data || !tip || !cursor) return;
    var pw = el.clientWidth - M.left - M.right;
    if (px < M.left || px > M.left + pw) { tip.hidden = true; cursor.setAttribute("visibility", "hidden"); return; }
    var t = timeAt(px), step = (view[1] - view[0]) / data.width, lines = [];
    parsed.forEach(function (p) {
      var k = nearest(p.times, t - step / 2);
      if (k < 0 || Math.abs(p.times[k] + step / 2 - t) > Math.max(p.maxGap / 2, step)) return;
      var mn = p.series.min[k], mx = p.series.max[k];
      if (mn === null) return;
      var text = mn === mx ? short(mn) : short(mn) + " ~ " + short(mx) + " (" + (TEXT.mean || "mean") + " " + short(p.series.mean[k]) + ")";
      lines.push('<span style="color:' + p.colour + '">■</span> ' + escapeHtml(p.s.label) + ": " + text + (p.s.unit ? " " + escapeHtml(p.s.unit) : ""));
    });
    if (marks && markTimes.length) {  // a marker under the cursor: its label value
      var j = nearest(markTimes, t), pxPerMs = (el.clientWidth - M.left - M.right) / (view[1] - view[0]);
      if (j >= 0 && Math.abs(markTimes[j] - t) * pxPerMs <= 3) {
        lines.push('<span style="color:#b42318">▌</span> ' + escapeHtml(cfg.lang === "en" ? marks.label_en : marks.label) + ": " + escapeHtml(marks.v[j]));
      }
    }
    cursor.setAttribute("x1", px); cursor.setAttribute("x2", px); cursor.setAttribute("visibility", "visible");
    tip.innerHTML = "<b>" + fmtFull.format(t) + "</b>" + (lines.length ? "<br>" + lines.join("<br>") : "");
    tip.hidden = false;
    var left = px + 14;
    if (left + tip.offsetWidth > el.clientWidth) left = px - 14 - tip.offsetWidth;
    tip.style.left = Math.max(0, left) + "px";
    tip.style.top = M.top + 4 + "px";
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function timeAt(px) {
    var pw = el.clientWidth - M.left - M.right;
    return view[0] + (Math.min(Math.max(px - M.left, 0), pw) / pw) * (view[1] - view[0]);
  }
  function setView(a, b) {
    var min = 1000; // never zoom below one second
    if (b - a < min) { var c = (a + b) / 2; a = c - min / 2; b = c + min / 2; }
    a = Math.max(a, full[0]); b = Math.min(b, full[1]);
    if (b <= a) return;
    view = [a, b];
    load();
  }
  function zoom(factor, centre) {
    if (live) {  // following: the span changes, the end stays now
      var span = Math.max(1000, (view[1] - view[0]) * factor);
      view = [view[1] - span, view[1]];
      load();
      return;
    }
    var c = centre === undefined ? (view[0] + view[1]) / 2 : centre;
    setView(c - (c - view[0]) * factor, c + (view[1] - c) * factor);
  }
  function pan(fraction) {
    var span = view[1] - view[0], shift = span * fraction;
    if (view[0] + shift < full[0]) shift = full[0] - view[0];
    if (view[1] + shift > full[1]) shift = full[1] - view[1];
    view = [view[0] + shift, view[1] + shift];
    load();
  }

  // -- following live data --------------------------------------------------------------------
  var picked = {};
  cfg.signals.forEach(function (s) { picked[s.id] = true; });
  function liveEnd() { return Math.max(Date.now(), live ? live.seen + 1 : 0); }
  function refresh() {
    if (!live) return;
    if (busy) { live.again = true; return; }  // a slow answer is never cut off by the next
    live.last = Date.now();
    // the newest point stays a little inside the frame, not on its edge
    var span = view[1] - view[0], end = liveEnd() + LIVE_PAD * span;
    full[1] = Math.max(full[1], end);
    view = [end - span, end];
    load();
  }
  function soon() {
    if (!live || live.next) return;
    var wait = Math.max(0, live.last + LIVE_GAP - Date.now());
    live.next = setTimeout(function () { if (live) { live.next = null; refresh(); } }, wait);
  }
  function heard(message) {
    var body;
    try { body = JSON.parse(message.data); } catch (e) { return; }
    if (!live) return;
    var fresh = false;
    (body.values || []).forEach(function (v) {
      var t = Date.parse(v.ts);
      if (picked[v.signal_id] && t > live.seen) { live.seen = t; fresh = true; }
    });
    if (fresh) soon();
  }
  function follow(on) {
    if (on && !live) {
      live = { source: null, tick: null, next: null, seen: 0, last: 0, again: false };
      if (typeof EventSource !== "undefined" && cfg.equipment) {
        live.source = new EventSource("/api/v1/live/events?equipment=" + cfg.equipment + "&lang=" + (cfg.lang || "ko"));
        live.source.addEventListener("live", heard);
      }
      live.tick = setInterval(refresh, LIVE_TICK);
      refresh();
    } else if (!on && live) {
      if (live.source) live.source.close();
      clearInterval(live.tick);
      clearTimeout(live.next);
      live = null;
      syncView();
    }
    el.dataset.live = on ? "on" : "off";
    if (liveBox) liveBox.checked = on;
  }
  function manual() { if (live) follow(false); }

  // -- interaction (wired once there is a view) ----------------------------------------------
  function start() {
    var drag = null;
    el.addEventListener("mousedown", function (e) {
      if (e.button !== 0) return;
      var r = el.getBoundingClientRect();
      drag = { x0: e.clientX - r.left, view: view.slice(), pan: e.shiftKey };
      e.preventDefault();
    });
    window.addEventListener("mousemove", function (e) {
      var r = el.getBoundingClientRect(), px = e.clientX - r.left;
      if (!drag) {
        if (e.target === el || el.contains(e.target)) { hoverPx = px; hover(px); }
        else { hoverPx = null; if (tip) { tip.hidden = true; if (cursor) cursor.setAttribute("visibility", "hidden"); } }
        return;
      }
      if (!selRect) return;
      if (drag.pan) {
        var pw = el.clientWidth - M.left - M.right, dt = (drag.x0 - px) / pw * (drag.view[1] - drag.view[0]);
        view = [drag.view[0] + dt, drag.view[1] + dt];
        return;
      }
      selRect.setAttribute("visibility", "visible");
      selRect.setAttribute("x", Math.min(drag.x0, px));
      selRect.setAttribute("width", Math.abs(px - drag.x0));
    });
    window.addEventListener("mouseup", function (e) {
      if (!drag) return;
      var r = el.getBoundingClientRect(), px = e.clientX - r.left, d = drag;
      drag = null;
      if (d.pan) { manual(); pan(0); return; }
      if (selRect) selRect.setAttribute("visibility", "hidden");
      if (Math.abs(px - d.x0) > 4) { manual(); setView(timeAt(Math.min(d.x0, px)), timeAt(Math.max(d.x0, px))); }
    });
    el.addEventListener("mouseleave", function () { hoverPx = null; if (tip) tip.hidden = true; if (cursor) cursor.setAttribute("visibility", "hidden"); });
    el.addEventListener("dblclick", function () { manual(); view = full.slice(); load(); });
    el.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = el.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 0.8 : 1.25, timeAt(e.clientX - r.left));
    }, { passive: false });
    el.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { manual(); pan(-0.25); }
      else if (e.key === "ArrowRight") { manual(); pan(0.25); }
      else if (e.key === "+" || e.key === "=") zoom(0.5);
      else if (e.key === "-") zoom(2);
      else return;
      e.preventDefault();
    });
    var reset = document.getElementById("chart-reset");
    if (reset) reset.addEventListener("click", function () { manual(); view = full.slice(); load(); });
    // quick ranges: the last hour / 8 h / day / week of the data (following: up to now)
    Array.prototype.forEach.call(document.querySelectorAll("[data-last]"), function (b) {
      b.addEventListener("click", function () {
        if (live) {
        var span = Number(b.dataset.last), end = liveEnd() + LIVE_PAD * span;
        view = [end - span, end];
        load();
      }
        else setView(full[1] - Number(b.dataset.last), full[1]);
      });
    });
    var form = document.getElementById("chart-range-form");
    if (form) form.addEventListener("submit", function (e) {
      e.preventDefault();
      var a = fromInput(document.getElementById("chart-from").value), b = fromInput(document.getElementById("chart-to").value);
      if (isFinite(a) && isFinite(b) && b > a) { manual(); setView(a, b); }
    });
    var resized = null;
    window.addEventListener("resize", function () { clearTimeout(resized); resized = setTimeout(load, 150); });
    if (liveBox) liveBox.addEventListener("change", function () { follow(liveBox.checked); });
    window.addEventListener("pagehide", function () { follow(false); });
    el.dataset.live = "off";
    if (cfg.live) follow(true); else load();
  }
  if (view) start();
  else if (liveBox) {
    // nothing stored yet: following live data starts with the last hour
    note(el.dataset.empty);
    el.dataset.state = "empty";
    var begin = function () {
      if (!liveBox.checked || view) return;
      var now = Date.now();
      full = [now - 36e5, now];
      view = full.slice();
      cfg.live = true;
      start();
    };
    liveBox.addEventListener("change", begin);
    if (cfg.live) { liveBox.checked = true; begin(); }
  } else { note(el.dataset.empty); el.dataset.state = "empty"; }
})();
