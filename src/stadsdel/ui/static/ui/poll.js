// Pages that wait for background work. An element with data-poll-reload asks its own page again
// every few seconds and shows it once it no longer carries the marker (a report recomputed);
// an element with data-poll-progress reads a task's state as JSON and moves its progress bar,
// percentage and step without reloading the page. No inline script (the CSP forbids it).
(function () {
  "use strict";
  function every(seconds, fn) {
    var busy = false;
    setInterval(function () {
      if (busy) return;
      busy = true;
      fn().finally(function () { busy = false; });
    }, seconds * 1000);
  }
  document.querySelectorAll("[data-poll-reload]").forEach(function (el) {
    var marker = el.getAttribute("data-poll-reload");
    every(Number(el.getAttribute("data-poll-seconds") || 2), function () {
      // An error page (a server busy for a moment) lacks the marker too: it is asked again at
      // the next turn instead of being shown in place of the waiting page.
      return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) { if (html.indexOf(marker) === -1) window.location.reload(); })
        .catch(function () {});
    });
  });
  document.querySelectorAll("[data-poll-progress]").forEach(function (el) {
    var url = el.getAttribute("data-poll-progress");
    var bar = el.querySelector("progress");
    var percent = el.querySelector("[data-percent]");
    var step = el.querySelector("[data-step]");
    var state = el.querySelector("[data-state]");
    every(Number(el.getAttribute("data-poll-seconds") || 1), function () {
      return fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (bar) bar.value = s.percent;
          if (percent) percent.textContent = s.percent_text;
          if (step) step.textContent = s.step;
          if (state) state.textContent = s.state_text;
          // Finished, or a worker came (or went): the page's words change, so it is shown anew.
          var noWorker = s.no_worker ? "1" : "0";
          if (s.finished || noWorker !== (el.getAttribute("data-no-worker") || "0")) window.location.reload();
        })
        .catch(function () {});
    });
  });
})();
