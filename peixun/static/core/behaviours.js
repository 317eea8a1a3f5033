/* Small page behaviours declared in the templates by data attributes, so that no template needs
   an inline event handler (the Content-Security-Policy refuses them):

   <select data-autosubmit>            submits its form when changed (a year or tenant chooser)
   <form data-confirm="Sure?">         asks before submitting; Cancel keeps the page as it is
   <button data-print>                 prints the page
   <a href="/" data-back>              goes back a page (its href when there is no page before)

   The listeners sit on the document, so content swapped in by htmx behaves the same. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof Element) || !field.hasAttribute("data-autosubmit") || !field.form) {
      return;
    }
    if (typeof field.form.requestSubmit === "function") {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    } else if (event.target.closest("[data-back]") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
