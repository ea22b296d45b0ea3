(function () {
  "use strict";
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-action]"));
  var parts = Array.prototype.slice.call(document.querySelectorAll("section.part"));
  var shown = document.getElementById("shown");

  function show(action) {
    var count = 0;
    rows.forEach(function (row) {
      var on = action === "all" || row.getAttribute("data-action") === action;
      row.hidden = !on;
      if (on && !row.classList.contains("more")) {
        count += 1;
      }
    });
    parts.forEach(function (part) {
      part.hidden = !part.querySelector("tr[data-action]:not([hidden])");
    });
    buttons.forEach(function (button) {
      var pressed = button.getAttribute("data-filter") === action;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
    var total = 0;
    buttons.forEach(function (button) {
      if (button.getAttribute("data-filter") === action) {
        total = Number(button.getAttribute("data-count"));
      }
    });
    shown.textContent = count === total
      ? count.toLocaleString("en-US")
      : count.toLocaleString("en-US") + " of " + total.toLocaleString("en-US");
    document.body.setAttribute("data-filter", action);
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      show(button.getAttribute("data-filter"));
    });
  });
  show("all");
})();
