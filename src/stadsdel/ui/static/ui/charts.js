/* Draws every chart of a page: each element with data-chart="<id>" gets the Vega-Lite spec in
   the JSON script element <id> (written by Django's json_script). vegaEmbed comes from the
   bundle that vl-convert ships, served by the app itself: nothing is loaded from elsewhere. */
(function () {
  "use strict";

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // Words of a title in lines of at most `chars` characters.
  function wrap(text, chars) {
    var lines = [];
    String(Array.isArray(text) ? text.join(" ") : text).split(/\s+/).forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= chars) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines;
  }

  // A chart wider than its place (on a phone) is drawn as wide as the place, rather than drawn
  // full size and shrunk: shrunk, its labels and legends would fall under 12 px. A map's
  // projection is fitted again to the new size and its title broken into shorter lines; a
  // chart's axes and legend keep their room beside the plot (`margin`), its legend in two columns.
  function fitChart(spec, element) {
    var layers = spec.layer || [spec];
    var isMap = layers.some(function (layer) { return layer.projection; });
    var margin = isMap ? 16 : 90;
    var available = element.clientWidth - margin;
    if (typeof spec.width !== "number" || available <= 0 || available >= spec.width) {
      return spec;
    }
    var width = Math.max(160, Math.floor(available));
    var ratio = width / spec.width;
    spec.width = width;
    if (isMap && typeof spec.height === "number") {
      var height = spec.height;
      spec.height = Math.max(200, Math.round(height * ratio));
      // Text placed from the bottom edge (the map's caption) stays as far from it.
      layers.forEach(function (layer) {
        var y = layer.encoding && layer.encoding.y;
        if (y && typeof y.value === "number" && y.value > height / 2) {
          y.value = spec.height - (height - y.value);
        }
      });
    }
    if (isMap) {
      // Legends under a map one above the other, not side by side beyond its width.
      spec.config = spec.config || {};
      spec.config.legend = Object.assign({}, spec.config.legend,
        { layout: { bottom: { direction: "vertical", anchor: "start" } } });
    }
    if (isMap && spec.title) {
      var title = typeof spec.title === "object" && !Array.isArray(spec.title) ? spec.title : { text: spec.title };
      title.text = wrap(title.text, Math.floor(width / 8));
      spec.title = title;
    }
    layers.concat(spec.layer ? [spec] : []).forEach(function (layer) {
      var legend = layer.encoding && layer.encoding.color && layer.encoding.color.legend;
      if (legend && legend.direction === "horizontal") {
        legend.columns = 2;
      }
    });
    return spec;
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
      spec = fitChart(spec, element);
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
