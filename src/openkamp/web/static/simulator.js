// The overview's simulator panel (the live demo only): inject a fault into a live machine and end
// one, through /api/v1/simulator (the session's CSRF token goes with each change); the list of
// faults going on follows the server every few seconds. The alert a fault raises comes through
// live.js's events.
"use strict";
(function () {
  var panel = document.querySelector("[data-simulator]");
  if (!panel || !window.okp) return;
  var text = window.okp.i18n();
  var form = panel.querySelector("[data-simulator-inject]");
  var note = panel.querySelector("[data-simulator-note]");
  var list = panel.querySelector("[data-simulator-active]");
  var none = panel.querySelector("[data-simulator-none]");

  function say(message, bad) {
    note.textContent = message;
    note.className = "small " + (bad ? "error" : "ok");
  }
  // HH:MM:SS in the installation's time zone, as the server writes the page's times
  var hms = new Intl.DateTimeFormat("en-GB", {
    timeZone: text.tz || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : hms.format(d);
  }
  function show(injections) {
    list.textContent = "";
    injections.forEach(function (i) {
      var li = document.createElement("li");
      li.dataset.injectionId = i.id;
      li.appendChild(document.createTextNode(i.equipment + " · " + i.label + " "));
      var until = document.createElement("span");
      until.className = "muted small";
      until.textContent = (text.until || "{when}").replace("{when}", clock(i.end));
      li.appendChild(until);
      li.appendChild(document.createTextNode(" "));
      var end = document.createElement("button");
      end.type = "button";
      end.className = "link";
      end.dataset.end = i.id;
      end.textContent = text.end || "End";
      li.appendChild(end);
      list.appendChild(li);
    });
    none.hidden = injections.length > 0;
  }
  function refresh() {
    return window.okp.json("/api/v1/simulator").then(function (state) {
      show(state.injections || []);
    }).catch(function () { /* the next tick tries again */ });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var target = form.elements.target.value.split(":");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    window.okp.json("/api/v1/simulator/injections", {
      method: "POST",
      body: { equipment: target[0], fault: target[1], duration_s: Number(form.elements.duration_s.value) },
    }).then(function (inj) {
      say((text.injected || "").replace("{machine}", inj.equipment).replace("{fault}", inj.label), false);
      return refresh();
    }, function (err) {
      say(err.message, true);
    }).then(function () { button.disabled = false; });
  });

  list.addEventListener("click", function (e) {
    var id = e.target && e.target.dataset ? e.target.dataset.end : null;
    if (!id) return;
    e.target.disabled = true;
    window.okp.json("/api/v1/simulator/injections/" + id + "/end", { method: "POST" }).then(function () {
      say(text.ended || "", false);
      return refresh();
    }, function (err) {
      say(err.message, true);
      return refresh();
    });
  });

  setInterval(refresh, 5000);
})();
