// What Bootstrap's and dbc's markup leaves out for keyboard and screen-reader users, added to
// every element as the pages render it: a table that scrolls sideways inside its card can be
// focused and scrolled with the arrow keys, and a progress bar is named after the row it sits in.
(function () {
  "use strict";

  function label(element) {
    if (element.classList.contains("table-responsive") && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "0");
      var caption = element.closest(".card");
      var title = caption && caption.querySelector(".card-header, .section-title");
      element.setAttribute("role", "region");
      element.setAttribute("aria-label", title ? title.textContent.trim() : "Table");
    }
    if (element.getAttribute("role") === "progressbar" && !element.hasAttribute("aria-label")) {
      // limit_progress (layouts/risk.py) puts the limit's name and "current / limit" above its bar.
      var row = element.closest(".progress") && element.closest(".progress").previousElementSibling;
      if (row) {
        element.setAttribute("aria-label", row.textContent.replace(/\s+/g, " ").trim());
      }
    }
  }

  function sweep(root) {
    if (root.nodeType !== 1) {
      return;
    }
    label(root);
    root.querySelectorAll(".table-responsive, [role=progressbar]").forEach(label);
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(sweep);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
