/* Ours (not vendored): gives the search and filter fields that bootstrap-table builds in the
   Data Docs index a name, so screen readers announce them (axe-core: label). */
(function () {
  "use strict";
  function label() {
    var fields = document.querySelectorAll("input:not([aria-label]):not([id]), select:not([aria-label])");
    Array.prototype.forEach.call(fields, function (field) {
      if (field.labels && field.labels.length) { return; }
      var th = field.closest("th");
      var name = th ? (th.getAttribute("data-field") || th.textContent || "").trim() : "";
      field.setAttribute("aria-label", field.placeholder || (name ? "Filter " + name : "Search"));
    });
  }
  if (window.jQuery) { window.jQuery(document).on("post-body.bs.table", label); }
  document.addEventListener("DOMContentLoaded", label);
  window.addEventListener("load", label);
}());
