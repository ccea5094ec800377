// An alert channel's delivery log replaces itself every 2 s while an alert is pending
// (htmx); an attempt log someone opened stays open across those refreshes.
(function () {
  "use strict";

  var open = [];

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "alert-log") return;
    open = Array.prototype.map.call(event.detail.target.querySelectorAll("details[open]"), function (details) {
      return details.id;
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    open.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) details.open = true;
    });
  });
})();
