/* Static monitoring: warn before leaving the report form with unsaved changes.
   The form works without this script; it only guards against losing typed values. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-unsaved-warning]");
  if (!form) { return; }
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}());
