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

  // A quiz form (data-keep-answers="<key>") keeps the learner's choices in this tab until they reach
  // the server: if the session expired meanwhile, they are back after logging in again.
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  if (!store) { return; }
  document.querySelectorAll("form[data-keep-answers]").forEach(function (form) {
    var key = "lms-answers:" + form.getAttribute("data-keep-answers");
    var choices = form.querySelectorAll("input[type=radio], input[type=checkbox]");
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved) {
      choices.forEach(function (input) {
        if (Object.prototype.hasOwnProperty.call(saved, input.name)) {
          input.checked = saved[input.name].indexOf(input.value) !== -1;
        }
      });
    }
    form.addEventListener("change", function () {
      var state = {};
      choices.forEach(function (input) {
        if (!state[input.name]) { state[input.name] = []; }
        if (input.checked) { state[input.name].push(input.value); }
      });
      store.setItem(key, JSON.stringify(state));
    });
  });
  // logging out forgets what this tab kept
  document.querySelectorAll("form.logout-form").forEach(function (form) {
    form.addEventListener("submit", function () { store.clear(); });
  });
})();
