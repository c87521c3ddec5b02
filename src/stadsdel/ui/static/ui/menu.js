/* The main menu folds behind one button on a narrow screen. Without this script the button
   stays hidden and the menu is shown whole (the page works without script). The button says
   whether the menu is open (aria-expanded); Escape closes it and returns focus to the button. */
(function () {
  "use strict";
  var nav = document.querySelector("nav[data-menu]");
  if (!nav) { return; }
  var button = nav.querySelector(".menu-toggle");
  var narrow = window.matchMedia("(max-width: 48rem)");

  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("menu-closed", !open);
  }

  button.hidden = false;
  nav.classList.add("menu-folds");
  set(!narrow.matches);
  // Turning a tablet or widening the window opens the menu again; narrowing folds it.
  narrow.addEventListener("change", function (event) { set(!event.matches); });
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
