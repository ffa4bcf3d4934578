/* Data-sharing forms: a price fieldset shows the fields of the chosen price model only (without
   script every field shows, and the server reads the chosen model's fields only). */
(function () {
  "use strict";
  function sync(fieldset) {
    var select = fieldset.querySelector("[data-price-model]");
    var model = select ? select.value : "";
    fieldset.querySelectorAll(".price-group").forEach(function (group) {
      var models = (group.getAttribute("data-models") || "").split(" ");
      group.hidden = models.indexOf(model) < 0;
    });
  }
  document.querySelectorAll("[data-price]").forEach(function (fieldset) {
    var select = fieldset.querySelector("[data-price-model]");
    if (select) select.addEventListener("change", function () { sync(fieldset); });
    sync(fieldset);
  });
})();
