// Progressive enhancements only: every page works the same without this file.
(function () {
  "use strict";

  // Leave empty fields out of the address, so a shared link shows only the filters that apply.
  var form = document.getElementById("filters");
  if (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if ((field.tagName === "INPUT" || field.tagName === "SELECT") && field.type !== "checkbox" && field.value === "") {
          field.disabled = true;
        }
      });
    });
    // Re-enable the fields if the page is restored from the back/forward cache.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        field.disabled = false;
      });
    });
  }

  // On a phone the filters would push the results off the screen: fold them away unless they need fixing.
  var panel = document.querySelector(".filter-panel");
  if (panel && window.matchMedia("(max-width: 55.99rem)").matches && !document.querySelector(".error-summary")) {
    panel.open = false;
  }
})();
