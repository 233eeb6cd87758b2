/* Draws the report charts with the vendored Chart.js. Each <canvas data-chart="line|bar"
   data-source="<id of a JSON data block>"> gets one chart; the table beside it carries the same
   numbers for screen readers, printing and pages without JavaScript. No inline script (CSP). */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var canvases = document.querySelectorAll("canvas[data-chart]");
  Array.prototype.forEach.call(canvases, function (canvas) {
    var block = document.getElementById(canvas.getAttribute("data-source"));
    if (!block) { return; }
    var data = JSON.parse(block.textContent);
    var values = data.rate || data.values || [];
    var max = canvas.getAttribute("data-max");
    var scales = { y: { beginAtZero: true } };
    if (max) { scales.y.max = Number(max); }
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart"),
      data: {
        labels: data.labels,
        datasets: [{
          label: canvas.getAttribute("data-label") || "",
          data: values,
          borderColor: "#123b66",
          backgroundColor: "rgba(18, 59, 102, 0.6)",
          spanGaps: true
        }]
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: scales,
                 plugins: { legend: { display: false } } }
    });
    canvas.setAttribute("data-drawn", String(values.length));
  });
})();
