/* The exam results step: every row up to the limit is in the page (so the form works
   without this script); the script shows the filled rows, one empty row (three rows at
   least) and an "Add another result" button that reveals the next row. */
(function () {
  "use strict";

  function isEmpty(row) {
    return Array.prototype.every.call(
      row.querySelectorAll("input:not([type=hidden]), select, textarea"),
      function (field) {
        return !field.value;
      }
    );
  }

  function setUp(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-exam-row]"));
    var button = form.querySelector("[data-exam-add]");
    if (!rows.length || !button) {
      return;
    }
    var lastFilled = -1;
    rows.forEach(function (row, index) {
      if (!isEmpty(row) || row.querySelector(".is-invalid")) {
        lastFilled = index;
      }
    });
    var minimum = parseInt(form.getAttribute("data-visible-min"), 10) || 1;
    var visible = Math.min(rows.length, Math.max(minimum, lastFilled + 2));
    rows.forEach(function (row, index) {
      row.hidden = index >= visible;
    });
    function update() {
      button.hidden = rows.every(function (row) {
        return !row.hidden;
      });
    }
    button.addEventListener("click", function () {
      var next = rows.find(function (row) {
        return row.hidden;
      });
      if (next) {
        next.hidden = false;
        var first = next.querySelector("select, input:not([type=hidden])");
        if (first) {
          first.focus();
        }
      }
      update();
    });
    update();
  }

  document.querySelectorAll("[data-exam-rows]").forEach(setUp);
})();
