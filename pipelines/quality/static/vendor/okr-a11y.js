/* Ours (not vendored): repairs what axe-core (WCAG 2.1 AA) finds in the Data Docs pages after
   bootstrap-table has built them: names for the search and filter fields (label), list items of
   the tab bar as presentation (listitem, aria-required-children/parent), and table boxes that
   scroll sideways on a phone reachable by keyboard (scrollable-region-focusable). */
(function () {
  "use strict";
  // The scorecard's language rewrites this line (pipelines/reporting/quality_wrapper.py).
  var T = {"filter": "Filter {name}", "search": "Search", "scrolls": "Table (scrolls sideways)"};
  function label() {
    var fields = document.querySelectorAll("input:not([aria-label]):not([id]), select:not([aria-label])");
    Array.prototype.forEach.call(fields, function (field) {
      if (field.labels && field.labels.length) { return; }
      var th = field.closest("th");
      var name = th ? (th.getAttribute("data-field") || th.textContent || "").trim() : "";
      field.setAttribute("aria-label", field.placeholder || (name ? T.filter.replace("{name}", name) : T.search));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[role=tablist] > li"), function (li) {
      li.setAttribute("role", "presentation");
    });
    Array.prototype.forEach.call(document.querySelectorAll(".fixed-table-body, .show-scrollbars"), function (box) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", T.scrolls);
    });
  }
  if (window.jQuery) { window.jQuery(document).on("post-body.bs.table", label); }
  document.addEventListener("DOMContentLoaded", label);
  window.addEventListener("load", label);
}());
