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

  /* The language menu is a <details> disclosure: like other menus, it closes on Escape and
     when the reader clicks elsewhere. */
  function closeMenusOutside(event) {
    document.querySelectorAll("details.language-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  }

  function closeMenuOnEscape(event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.language-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    document.addEventListener("click", closeMenusOutside);
    document.addEventListener("keydown", closeMenuOnEscape);
  });
})();
