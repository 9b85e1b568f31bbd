/* Progress charts: draw the plotly.js charts a page carries as JSON.
 *
 * The page holds <script type="application/json" id="progress-charts"> with
 * {"config", "template", "charts": [{"id", "data", "layout"}]} (built by
 * hiplab.progress.charts) and, for each chart, an element with that id, hidden until
 * drawn. Without JavaScript (or without plotly.js) the tables under each chart show the
 * same values. No inline script on the web page: the content security policy is
 * script-src 'self'. `hiplab progress -f html` inlines this same file in its own page.
 */
(function () {
  "use strict";

  function draw() {
    var block = document.getElementById("progress-charts");
    if (!block || typeof window.Plotly === "undefined") {
      return;
    }
    var payload = JSON.parse(block.textContent);
    payload.charts.forEach(function (chart) {
      var element = document.getElementById(chart.id);
      if (!element) {
        return;
      }
      var layout = chart.layout;
      layout.template = payload.template;
      element.hidden = false;
      window.Plotly.newPlot(element, chart.data, layout, payload.config).then(function () {
        element.setAttribute("data-drawn", "true");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
