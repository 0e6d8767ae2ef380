// Device charts: reads data from json_script elements (the CSP forbids inline scripts).
(function () {
  "use strict";
  var COLOURS = ["#1f6feb", "#2da44e", "#8250df", "#bf3989", "#d4a72c"];

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function patientCharts() {
    var data = read("devices-data");
    if (!data) return;
    document.querySelectorAll("canvas.devices-chart").forEach(function (canvas) {
      var keys = canvas.dataset.series.split(",");
      new Chart(canvas, {
        type: keys[0] === "steps" ? "bar" : "line",
        data: {
          labels: data.labels,
          datasets: keys.map(function (k, i) {
            return { label: data.names[k], data: data[k], borderColor: COLOURS[i], backgroundColor: COLOURS[i], spanGaps: true, yAxisID: i ? "y1" : "y" };
          })
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y1: { position: "right", display: keys.length > 1, grid: { drawOnChartArea: false } } } }
      });
    });
  }

  function timeline() {
    var data = read("devices-timeline-data");
    var canvas = document.getElementById("devices-timeline");
    if (!data || !canvas) return;
    var changeDays = {};
    data.changes.forEach(function (c) { changeDays[c.day] = c.program; });
    var marks = data.labels.map(function (d) { return d in changeDays ? 10 : null; });
    new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: data.names.pain, data: data.pain, borderColor: COLOURS[3], yAxisID: "pain", spanGaps: true },
          { type: "line", label: data.names.function, data: data.function, borderColor: COLOURS[4], borderDash: [6, 3], yAxisID: "pain", spanGaps: true },
          { type: "bar", label: data.names.steps, data: data.steps, backgroundColor: "rgba(31,111,235,0.35)", yAxisID: "steps" },
          { type: "line", label: data.names.sleep_hours, data: data.sleep_hours, borderColor: COLOURS[1], yAxisID: "pain", spanGaps: true },
          { type: "line", label: data.names.rmssd, data: data.rmssd, borderColor: COLOURS[2], yAxisID: "hrv", spanGaps: true },
          { type: "scatter", label: data.names.change, data: marks, pointStyle: "triangle", pointRadius: 9, backgroundColor: "#000", yAxisID: "pain" }
        ]
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: {
          pain: { min: 0, max: 12, position: "left", title: { display: true, text: "0-10 / " + data.names.sleep_hours } },
          steps: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: data.names.steps } },
          hrv: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: data.names.rmssd } }
        },
        plugins: { tooltip: { callbacks: { afterBody: function (items) { var d = data.labels[items[0].dataIndex]; return d in changeDays ? data.names.change + ": " + changeDays[d] : ""; } } } }
      }
    });
  }

  function start() { if (window.Chart) { patientCharts(); timeline(); } }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
