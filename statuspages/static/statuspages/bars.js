// A day cell's tooltip, built from its bar's data when the cell is hovered or tapped:
// "Nov 20, 2026 · 99.95% uptime · no incidents". The CSS shows it (.bar > i[data-tip]::after)
// over the cell, placed by the cell's --at.
(function () {
  "use strict";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function tip(cell) {
    var bar = cell.parentElement;
    var index = Array.prototype.indexOf.call(bar.children, cell);
    var day = new Date(bar.dataset.end + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() - (bar.children.length - 1 - index));
    var uptime = bar.dataset.uptimes.split(",")[index];
    var incidents = JSON.parse(bar.dataset.incidents || "{}")[index] || [];
    return [
      MONTHS[day.getUTCMonth()] + " " + day.getUTCDate() + ", " + day.getUTCFullYear(),
      uptime ? uptime + "% uptime" : "no data",
      incidents.length ? incidents.join("; ") : "no incidents",
    ].join(" · ");
  }

  function show(event) {
    var cell = event.target;
    if (cell.tagName === "I" && cell.parentElement.classList.contains("bar") && !cell.dataset.tip) {
      var cells = cell.parentElement.children;
      var index = Array.prototype.indexOf.call(cells, cell);
      cell.dataset.tip = tip(cell);
      // Where page.css places the tooltip: over this cell, inside the bar.
      cell.style.setProperty("--at", ((index + 0.5) / cells.length).toFixed(4));
    }
  }

  document.addEventListener("mouseover", show);
  document.addEventListener("touchstart", show, { passive: true });
})();
