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

  // An error summary (forms.html) takes the focus, so keyboard and screen-reader users start there.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.tabIndex = -1;
    summary.focus();
  }

  // Idle timeout warning (WCAG 2.2.1): the session ends after data-session-idle seconds without a
  // request; data-session-warn seconds before, a dialog offers to stay logged in (one request to
  // data-session-extend). Activity in another tab of this browser counts (shared in localStorage).
  var body = document.body;
  var dialog = document.getElementById("session-warning");
  if (dialog && body.hasAttribute("data-session-idle") && typeof dialog.showModal === "function") {
    var idle = parseInt(body.getAttribute("data-session-idle"), 10) * 1000;
    var warn = parseInt(body.getAttribute("data-session-warn"), 10) * 1000;
    var shared = null;
    try { shared = window.localStorage; } catch (e) { shared = null; }
    var seen = Date.now();
    var timer = null;
    var dismissed = 0;  // the session end for which the learner closed the warning (Esc or "Schließen")
    var lastSeen = function () {
      var other = shared ? parseInt(shared.getItem("lms-session-seen") || "0", 10) : 0;
      return Math.max(seen, other || 0);
    };
    var touch = function () {
      seen = Date.now();
      if (shared) { try { shared.setItem("lms-session-seen", String(seen)); } catch (e) { /* full */ } }
    };
    var show = function (state) {
      dialog.setAttribute("aria-labelledby", "session-" + state + "-title");
      dialog.setAttribute("aria-describedby", "session-" + state + "-text");
      dialog.querySelectorAll("[data-session-state]").forEach(function (part) {
        part.hidden = part.getAttribute("data-session-state") !== state;
      });
      if (!dialog.open) { dialog.showModal(); }
      var button = dialog.querySelector("[data-session-state='" + state + "'] button");
      if (button) { button.focus(); }
    };
    var schedule = function () {
      clearTimeout(timer);
      var end = lastSeen() + idle;
      var now = Date.now();
      if (now >= end) {
        show("expired");
      } else if (now >= end - warn) {
        var deadline = dialog.querySelector("[data-session-deadline]");
        if (deadline) {
          deadline.textContent = new Date(end).toLocaleTimeString(document.documentElement.lang,
            { hour: "2-digit", minute: "2-digit" });
        }
        if (!dialog.open && dismissed !== end) { show("warning"); }
        timer = setTimeout(schedule, Math.min(end - now, 1000));
      } else {
        if (dialog.open && !dialog.querySelector("[data-session-state='warning']").hidden) { dialog.close(); }
        timer = setTimeout(schedule, Math.min(end - warn - now, 60000));
      }
    };
    dialog.addEventListener("click", function (event) {
      var button = event.target.closest("[data-session-action]");
      if (!button) { return; }
      var action = button.getAttribute("data-session-action");
      if (action === "reload") { window.location.reload(); return; }
      if (action === "close") { dismissed = lastSeen() + idle; dialog.close(); return; }
      var token = document.querySelector("input[name=csrf_token]");
      fetch(body.getAttribute("data-session-extend"), {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
      }).then(function (response) {
        if (response.status !== 200) { show("expired"); return; }
        touch();
        dialog.close();
        schedule();
      }, function () { show("expired"); });
    });
    dialog.addEventListener("cancel", function () { dismissed = lastSeen() + idle; });
    touch();
    schedule();
  }

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
