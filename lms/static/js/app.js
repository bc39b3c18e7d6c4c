/* KI-Kompetenz: small progressive enhancements. No page depends on this file to work. */
(function () {
  "use strict";
  // A table box that scrolls sideways (small screens, 200 % zoom) must be reachable with the keyboard
  // (WCAG 2.1.1) and announced by its caption: make it a focusable, named region.
  document.querySelectorAll(".kern-table-responsive").forEach(function (box, index) {
    if (box.hasAttribute("tabindex")) { return; }
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    var caption = box.querySelector("caption");
    if (caption) {
      if (!caption.id) { caption.id = "table-caption-" + (index + 1); }
      box.setAttribute("aria-labelledby", caption.id);
    } else {
      var heading = document.querySelector("h1");
      box.setAttribute("aria-label", heading ? heading.textContent.trim() : document.title);
    }
  });
})();
