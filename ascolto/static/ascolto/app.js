// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // htmx: a 422 carries the form again with its errors, so swap it in like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // htmx: forms marked data-reset-on-success are emptied once their request succeeded.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-on-success]") && event.detail.successful) {
      form.reset();
      form.querySelectorAll(".errorlist").forEach(function (list) { list.remove(); });
      form.querySelectorAll(".field-error").forEach(function (field) { field.classList.remove("field-error"); });
      var first = form.querySelector("input[type=text], textarea");
      if (first) { first.focus(); }
    }
  });
})();
