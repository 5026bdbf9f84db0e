/* Draws the KR charts: each <div data-chart="ID"> gets the Vega-Lite spec in <script id="ID">,
   compiled by vega-lite and rendered as SVG by vega (both vendored in assets/, no network).
   The figure's text alternative stays in the page, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  if (!window.vega || !window.vegaLite) { return; }
  var locale = window.OKR_CHART_LOCALE;
  if (locale) {
    vega.formatLocale(locale.number);
    vega.timeFormatLocale(locale.time);
  }
  var holders = document.querySelectorAll("[data-chart]");
  Array.prototype.forEach.call(holders, function (holder) {
    var source = document.getElementById(holder.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = vegaLite.compile(JSON.parse(source.textContent)).spec;
    var view = new vega.View(vega.parse(spec), { renderer: "svg", container: holder, hover: true });
    view.runAsync().then(function () {
      var svg = holder.querySelector("svg");
      if (svg) {
        // The figure's role="img" wrapper carries the accessible name; the drawing is hidden.
        svg.setAttribute("aria-hidden", "true");
      }
    });
  });
}());
