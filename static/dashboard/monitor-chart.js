// The monitor page's chart: mean response time (line, ms) and uptime (bars, %) per
// hour or day, from the JSON the page carries (#chart-data).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("response-chart");
    var source = document.getElementById("chart-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var hourly = data.period === "hour";
    var labels = data.labels.map(function (iso) {
      var date = new Date(iso);
      return hourly
        ? date.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
        : date.toLocaleDateString([], { month: "short", day: "numeric" });
    });
    new Chart(canvas, {
      data: {
        labels: labels,
        datasets: [
          { type: "line", label: "Response time (ms)", data: data.response, borderColor: "#2563eb", backgroundColor: "#2563eb", yAxisID: "ms", spanGaps: true, pointRadius: 0, tension: 0.2 },
          { type: "bar", label: "Uptime (%)", data: data.uptime, backgroundColor: "rgba(21, 128, 61, 0.25)", yAxisID: "uptime" },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          ms: { position: "left", beginAtZero: true, title: { display: true, text: "ms" } },
          uptime: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "uptime %" } },
        },
      },
    });
  });
})();
