// Small enhancements only: every page works without this file.
(function () {
  "use strict";
  // "/" focuses the search box (unless typing in a field already).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var box = document.getElementById("site-q");
    if (box) { ev.preventDefault(); box.focus(); }
  });
  // Changing a select in the filter form applies it at once.
  var form = document.querySelector("form.filters[action='/']");
  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (sel) {
      sel.addEventListener("change", function () { form.submit(); });
    });
  }
  // The cited passage: bring it into view and give it focus for screen readers.
  var hl = document.getElementById("hl");
  if (hl && location.hash !== "#hl") { hl.scrollIntoView({block: "center"}); }
  if (hl) { hl.setAttribute("tabindex", "-1"); hl.focus({preventScroll: true}); }
})();
