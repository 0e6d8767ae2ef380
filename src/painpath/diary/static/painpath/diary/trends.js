// Trend chart of daily pain, activity (function) and mood from the check-ins (Chart.js).
(function () {
  "use strict";
  var node = document.getElementById("trend-data");
  var canvas = document.getElementById("trend-chart");
  if (!node || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.names.pain, data: data.pain, borderColor: "#a4161a", tension: 0.2, spanGaps: true },
        { label: data.names.activity, data: data.activity, borderColor: "#1f5fbf", tension: 0.2, spanGaps: true },
        { label: data.names.mood, data: data.mood, borderColor: "#2e7d32", tension: 0.2, spanGaps: true }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { min: 0, max: 10 } },
      elements: { point: { radius: 1 } }
    }
  });
})();
