// A "Copy" button after each element marked data-copyable (a shown secret): it copies the
// element's value to the clipboard. Added by script, so no dead button without JavaScript.
(function () {
  "use strict";

  function copy(source) {
    var text = "value" in source ? source.value : source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP (not localhost): the older way, on the selected text.
    return new Promise(function (resolve, reject) {
      source.focus();
      if (source.select) source.select();
      try {
        if (document.execCommand("copy")) resolve();
        else reject(new Error("copy refused"));
      } catch (error) {
        reject(error);
      }
    });
  }

  function addButton(source) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Copy";
    var status = document.createElement("span");
    status.className = "muted";
    status.setAttribute("role", "status");
    var wrapper = document.createElement("div");
    wrapper.className = "actions";
    wrapper.appendChild(button);
    wrapper.appendChild(status);
    source.insertAdjacentElement("afterend", wrapper);
    button.addEventListener("click", function () {
      copy(source).then(
        function () {
          status.textContent = "Copied to the clipboard.";
        },
        function () {
          if (source.select) source.select();
          status.textContent = "Could not copy: it is selected, press Ctrl+C (⌘C).";
        }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copyable]").forEach(addButton);
  });
})();
