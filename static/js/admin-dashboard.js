/* Charts of the admissions dashboard, drawn with the vendored Chart.js.
 *
 * Each <canvas data-chart="ID"> reads its data from the JSON element #ID (Django's
 * json_script: no inline script, so the Content-Security-Policy needs no exception):
 * {"type": "bar" | "stacked" | "funnel", "labels": [...], "datasets": [{label, data}]}.
 * "bar" is a vertical bar chart; "stacked" and "funnel" are horizontal stacked bars.
 * The same figures are in the table after each chart (its accessible alternative).
 */
(function () {
  "use strict";

  // Colour-blind safe (Okabe-Ito), in the order of the datasets.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#000000"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var horizontal = spec.type !== "bar";
    var stacked = spec.type === "stacked" || spec.type === "funnel";
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return { label: dataset.label, data: dataset.data, backgroundColor: colour, borderColor: colour };
    });
    if (horizontal) {
      // Room for one bar per label, so long program names stay readable.
      canvas.parentElement.style.height = Math.max(160, 40 + spec.labels.length * 34) + "px";
    }
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        responsive: true,
        animation: reduceMotion ? false : undefined,
        locale: document.documentElement.lang || undefined,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: {
          x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
