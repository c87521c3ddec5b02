/* A form that starts slow work (an import) says so when it is sent: the element
   [data-busy-message] inside the form is shown, and the submit button is disabled so the work
   is not started twice. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var message = form.querySelector("[data-busy-message]");
      if (message) {
        message.hidden = false;
      }
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        // Disabled after this event, so the button's own name/value is still sent.
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
