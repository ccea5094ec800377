// The monitor page's chart, from the JSON the page carries (#chart-data):
// - period "check" (24 hours): the response time of each check (line, ms) and each
//   failed check (red bar); for a monitor checked from several regions (data.regions),
//   a line per region, and a red bar where any region failed (its tooltip names them);
// - period "hour" or "day" (7, 30, 90 days): the mean response time (line, ms) and uptime
//   (bars, %) of each hour or day.
// Times are shown in the person's time zone (the canvas's data-time-zone), in the same
// format as the dashboard's tables ("Dec 7, 14:05:09", see monitors/templatetags/dashboard_time.py).
(function () {
  "use strict";

  function formatter(timeZone, withTime) {
    var options = { timeZone: timeZone || "UTC", month: "short", day: "numeric" };
    if (withTime) {
      options.hour = "2-digit";
      options.minute = "2-digit";
      options.second = "2-digit";
      options.hourCycle = "h23";
    }
    try {
      return new Intl.DateTimeFormat("en-US", options);
    } catch (error) { // an unknown zone name: UTC rather than no chart
      options.timeZone = "UTC";
      return new Intl.DateTimeFormat("en-US", options);
    }
  }

  function checkDatasets(data) {
    return [
      { type: "line", label: "Response time (ms)", data: data.response, borderColor: "#2563eb", backgroundColor: "#2563eb", yAxisID: "ms", spanGaps: false, pointRadius: data.labels.length > 120 ? 0 : 2, tension: 0.2 },
      { type: "bar", label: "Failed check", data: data.failed.map(function (failed) { return failed ? 1 : null; }), backgroundColor: "rgba(185, 28, 28, 0.35)", yAxisID: "failed", barPercentage: 1, categoryPercentage: 1 },
    ];
  }

  // Told apart by more than colour: each region's line has its own dash pattern too.
  var REGION_COLOURS = ["#2563eb", "#d97706", "#7c3aed", "#0d9488", "#db2777", "#4d7c0f", "#0891b2", "#57534e"];
  var REGION_DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

  function regionDatasets(data) {
    var datasets = data.regions.map(function (region, n) {
      var colour = REGION_COLOURS[n % REGION_COLOURS.length];
      return { type: "line", label: region.name + " (ms)", data: region.response, borderColor: colour, backgroundColor: colour, borderDash: REGION_DASHES[n % REGION_DASHES.length], yAxisID: "ms", spanGaps: false, pointRadius: data.labels.length > 120 ? 0 : 2, borderWidth: 2, tension: 0.2 };
    });
    var failedIn = data.labels.map(function (_, i) {
      return data.regions.filter(function (region) { return region.failed[i] === true; }).map(function (region) { return region.name; });
    });
    // As high as the share of regions that failed: one region outvoted is a low bar.
    var regionCount = data.regions.length;
    datasets.push({ type: "bar", label: "Failed check", data: failedIn.map(function (names) { return names.length ? names.length / regionCount : null; }), failedIn: failedIn, backgroundColor: "rgba(185, 28, 28, 0.35)", yAxisID: "failed", barPercentage: 1, categoryPercentage: 1 });
    return datasets;
  }

  function regionCount(chart) {
    return chart.data.datasets.filter(function (set) { return set.yAxisID === "ms"; }).length;
  }

  function rollupDatasets(data) {
    return [
      { type: "line", label: "Response time (ms)", data: data.response, borderColor: "#2563eb", backgroundColor: "#2563eb", yAxisID: "ms", spanGaps: true, pointRadius: 0, tension: 0.2 },
      { type: "bar", label: "Uptime (%)", data: data.uptime, backgroundColor: "rgba(21, 128, 61, 0.25)", yAxisID: "uptime" },
    ];
  }

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("response-chart");
    var source = document.getElementById("chart-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var perCheck = data.period === "check";
    var format = formatter(canvas.dataset.timeZone, data.period !== "day");
    var labels = data.labels.map(function (iso) { return format.format(new Date(iso)); });
    var scales = { ms: { position: "left", beginAtZero: true, title: { display: true, text: "ms" } } };
    if (perCheck) {
      scales.failed = { display: false, min: 0, max: 1 };
    } else {
      scales.uptime = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "uptime %" } };
    }
    scales.x = { ticks: { autoSkip: true, maxRotation: 0, maxTicksLimit: 6 } };
    new Chart(canvas, {
      data: { labels: labels, datasets: data.regions ? regionDatasets(data) : perCheck ? checkDatasets(data) : rollupDatasets(data) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          tooltip: {
            filter: function (item) { return item.raw !== null; },
            callbacks: {
              label: function (item) {
                if (item.dataset.yAxisID === "failed") {
                  if (!item.dataset.failedIn) return "Failed";
                  var names = item.dataset.failedIn[item.dataIndex];
                  return "Failed in " + names.length + " of " + regionCount(item.chart) + " regions: " + names.join(", ");
                }
                return item.dataset.label + ": " + item.formattedValue;
              },
            },
          },
        },
      },
    });
  });
})();
