/* Draws every chart of a page: each element with data-chart="<id>" gets the Vega-Lite spec in
   the JSON script element <id> (written by Django's json_script). vegaEmbed comes from the
   bundle that vl-convert ships, served by the app itself: nothing is loaded from elsewhere. */
(function () {
  "use strict";

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw() {
    if (typeof window.vegaEmbed !== "function") {
      return;  // the bundle did not load: the fallback text and the tables remain
    }
    var locale = readJSON("chart-locale");
    // ast: Vega evaluates expressions with its interpreter instead of compiling them with
    // `new Function`, so the page's Content-Security-Policy needs no 'unsafe-eval'.
    var options = { actions: false, renderer: "svg", ast: true };
    if (locale) {
      options.formatLocale = locale;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var spec = readJSON(element.getAttribute("data-chart"));
      if (!spec) {
        return;
      }
      var fallback = element.querySelector(".chart-fallback");
      var target = document.createElement("div");
      element.appendChild(target);
      window.vegaEmbed(target, spec, options).then(function () {
        if (fallback) { fallback.remove(); }
        element.classList.add("chart-drawn");
      }).catch(function (error) {
        element.classList.add("chart-failed");
        if (window.console) { console.error(error); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
