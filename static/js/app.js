/* Small enhancements on top of pages that work without script. */
(function () {
  "use strict";

  /* A form came back with errors: move focus to its summary at the top of the page, so the
     reader sees it (and a screen reader reads it) at once. Browsers that honour autofocus on
     the summary have done this already. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
    if (summary) {
      summary.scrollIntoView({block: "start"});
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
  });
})();
