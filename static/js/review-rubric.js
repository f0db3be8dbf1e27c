/* Keyboard shortcuts of the review page's rubric (the hint above the fields says them):
   - in a score field, the value is selected on focus, so typing replaces it;
   - Enter in a score field goes to the next criterion (the comment after the last one)
     instead of submitting the form;
   - Ctrl+Enter (Cmd+Enter on a Mac) anywhere on the page: "Save and next".
   Shortcuts with a modifier or active only in a focused field cannot fire by accident
   (WCAG 2.1.4, character key shortcuts). */
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) {
    return;
  }
  var scores = Array.prototype.slice.call(form.querySelectorAll("[data-rubric-score]"));
  var comment = form.querySelector("textarea[name=comment]");

  scores.forEach(function (field, index) {
    field.addEventListener("focus", function () {
      field.select();
    });
    field.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      var next = scores[index + 1] || comment;
      if (next) {
        next.focus();
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var button = form.querySelector("button[name=_next]") || form.querySelector("[type=submit]");
      if (button) {
        event.preventDefault();
        form.requestSubmit(button);
      }
    }
  });
})();
