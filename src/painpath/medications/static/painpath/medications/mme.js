// MME per day, prescribed vs taken, with daily pain and function on a second axis (Chart.js).
(function () {
  "use strict";
  var node = document.getElementById("mme-data");
  var canvas = document.getElementById("mme-chart");
  if (!node || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.names.prescribed, data: data.prescribed, borderColor: "#1f5fbf", stepped: true, yAxisID: "mme" },
        { label: data.names.taken, data: data.taken, borderColor: "#a4161a", spanGaps: false, yAxisID: "mme" },
        { label: data.names.pain, data: data.pain, borderColor: "#6b7280", borderDash: [4, 4], spanGaps: true, yAxisID: "pain" },
        { label: data.names.function, data: data.function, borderColor: "#2da44e", borderDash: [2, 3], spanGaps: true, yAxisID: "pain" }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        mme: { position: "left", beginAtZero: true, title: { display: true, text: "MME" } },
        pain: { position: "right", min: 0, max: 10, grid: { drawOnChartArea: false }, title: { display: true, text: "0-10" } }
      },
      elements: { point: { radius: 1 } }
    }
  });
})();
