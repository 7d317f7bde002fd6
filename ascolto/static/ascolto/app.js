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
})();
