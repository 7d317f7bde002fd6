// The promise form shows only the fields the chosen kind of target reads. Without this file
// every field shows, each with its help text, and the server ignores the ones not needed.
(function () {
  "use strict";
  function update(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-target-types]").forEach(function (box) {
      var types = box.getAttribute("data-target-types").split(" ");
      box.hidden = types.indexOf(select.value) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-promise-target]").forEach(function (select) {
      update(select);
      select.addEventListener("change", function () { update(select); });
    });
  });
})();
