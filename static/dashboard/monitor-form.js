// Shows only the fields of the chosen monitor type (the server ignores the others anyway).
(function () {
  "use strict";
  function update() {
    var select = document.getElementById("f-type");
    if (!select) return;
    document.querySelectorAll("[data-types]").forEach(function (element) {
      var types = element.dataset.types;
      element.hidden = types !== "" && types.split(" ").indexOf(select.value) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("f-type");
    if (select) select.addEventListener("change", update);
    update();
  });
})();
