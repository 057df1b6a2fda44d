/*
 * Ban Chỉ đạo 138 tỉnh An Giang — small progressive enhancements.
 *
 * The CSP allows scripts from 'self' only, so behaviour is attached here through
 * data attributes instead of inline handlers. Every page must still work without
 * this file (forms submit, links navigate).
 *
 *   <form data-confirm="Text to confirm">   asks before submitting
 *   <select data-autosubmit>                submits its form when changed
 *   <button type="button" data-print>       opens the print dialog
 *   <p data-announce>…</p> in htmx content  read out by screen readers once
 *                                           swapped in (through #live-announcer)
 */
(function () {
  "use strict";

  // JavaScript runs: let Bootstrap's collapse handle the phone menu (see app.css).
  document.documentElement.classList.remove("no-js");

  // Ask for confirmation before submitting a form marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Submit the form when a select (or input) marked data-autosubmit changes.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof Element) || !field.hasAttribute("data-autosubmit")) {
      return;
    }
    var form = field.form;
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  // Print buttons.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // After htmx replaces a region, move focus to an element the response marks
  // with data-focus-after-swap (e.g. a result heading) so keyboard and
  // screen-reader users notice the change.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt ? event.detail.elt : document;
    var target = root.querySelector ? root.querySelector("[data-focus-after-swap]") : null;
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  });

  // A region replaced by htmx is a new node, which screen readers do not
  // announce as a live region; its [data-announce] text is copied into the
  // page's persistent live region instead (e.g. "12 units can be registered
  // for 2024." after the year changed).
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt ? event.detail.elt : null;
    var announcer = document.getElementById("live-announcer");
    if (!root || !announcer || !root.querySelector) {
      return;
    }
    var source = root.matches && root.matches("[data-announce]")
      ? root : root.querySelector("[data-announce]");
    if (source) {
      announcer.textContent = "";
      window.setTimeout(function () {
        announcer.textContent = source.textContent.trim();
      }, 50);
    }
  });
})();
