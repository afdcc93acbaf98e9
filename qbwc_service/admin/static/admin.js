// Live progress for the admin pages: polls progress.json while a Web Connector
// session runs, shows each session's percentage, keeps the status counts fresh,
// and reloads a queue, job or run page once when a session ends so its final state shows.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  var url = document.body.getAttribute("data-progress-url");
  if (!url || !window.fetch) { return; }
  var banner = document.getElementById("live");
  var runsUrl = document.body.getAttribute("data-runs-url");
  var wasActive = null;
  // Pages showing jobs or runs reload once a session ends; forms (settings) never do.
  var reloads = document.body.hasAttribute("data-live-reload");
  var ACTIVE_MS = 2000, IDLE_MS = 5000;

  function render(active) {
    banner.textContent = "";
    active.forEach(function (s) {
      var line = document.createElement("div");
      // The run's page follows the session live; link to it once the run exists.
      var label = document.createElement(s.run_id && runsUrl ? "a" : "span");
      label.textContent = "Syncing " + s.user + (s.run_id ? " (run " + s.run_id + ")" : "");
      if (label.tagName === "A") { label.href = runsUrl + "/" + s.run_id; }
      var bar = document.createElement("span");
      bar.className = "bar";
      var fill = document.createElement("span");
      fill.style.width = Math.max(0, Math.min(100, s.progress)) + "%";
      bar.appendChild(fill);
      var pct = document.createElement("b");
      pct.textContent = s.progress + "%";
      line.appendChild(label); line.appendChild(bar); line.appendChild(pct);
      banner.appendChild(line);
    });
    banner.hidden = active.length === 0;
    active.forEach(function (s) {
      var badge = s.run_id && document.querySelector('[data-run-progress="' + s.run_id + '"]');
      if (badge) { badge.textContent = "running " + s.progress + "%"; }
    });
  }

  function poll() {
    var query = new URLSearchParams(window.location.search).get("user");
    fetch(url + (query ? "?user=" + encodeURIComponent(query) : ""),
          { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        render(data.active);
        Object.keys(data.counts).forEach(function (status) {
          var el = document.querySelector('[data-count="' + status + '"]');
          if (el) { el.textContent = data.counts[status]; }
        });
        var active = data.active.length > 0;
        if (wasActive === true && !active && reloads) { window.location.reload(); return; }
        wasActive = active;
        window.setTimeout(poll, active ? ACTIVE_MS : IDLE_MS);
      })
      .catch(function () { window.setTimeout(poll, IDLE_MS); });
  }
  poll();
})();
