// Status page form: the components' "up" and "down" buttons move the row in place and
// number the positions again, instead of sending the form (which is what they do
// without JavaScript: the server shows the form again in the new order, unsaved).
(function () {
  "use strict";
  function renumber(body) {
    var rows = body.querySelectorAll("tr[data-component]");
    rows.forEach(function (row, index) {
      var position = row.querySelector("input.position");
      if (position) position.value = String(index + 1);
      var buttons = row.querySelectorAll("button[name=move]");
      buttons.forEach(function (button) {
        var up = button.value.slice(-3) === ":up";
        button.disabled = up ? index === 0 : index === rows.length - 1;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("component-rows");
    if (!body) return;
    body.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=move]");
      if (!button || !body.contains(button)) return;
      event.preventDefault();
      var row = button.closest("tr");
      var up = button.value.slice(-3) === ":up";
      var other = up ? row.previousElementSibling : row.nextElementSibling;
      if (!other) return;
      if (up) body.insertBefore(row, other);
      else body.insertBefore(other, row);
      renumber(body);
      var status = document.getElementById("move-status");
      var label = row.querySelector("label");
      var position = row.querySelector("input.position");
      if (status && label && position) status.textContent = label.textContent.trim() + ": position " + position.value;
      if (button.disabled) {
        var sibling = row.querySelector("button[name=move]:not([disabled])");
        if (sibling) sibling.focus();
      } else {
        button.focus();
      }
    });
  });
})();
