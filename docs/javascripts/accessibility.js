/* What the theme's script leaves out for readers with a screen reader or a keyboard (guide/accessibility.md):
 * - the search dialog gets a name (the theme's has none);
 * - each code block's toolbar, a navigation landmark, gets a name of its own ("Code block 2"), so that
 *   landmarks can be told apart;
 * - a box that scrolls sideways (a wide table on a phone) can be reached with the keyboard and scrolled with
 *   the arrow keys; one that does not scroll stays out of the tab order;
 * - where the navigation is a drawer (a phone, a narrow or zoomed window), its button is a button for the
 *   keyboard too: Enter or Space opens it and moves to its first link, Escape closes it and comes back.
 * It runs after the theme has set up each page (the theme's document$), and again when the window is resized. */
(function () {
  "use strict";

  function nameSearch() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    var input = document.querySelector(".md-search__input");
    if (dialog && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", (input && input.getAttribute("aria-label")) || "Search");
    }
  }

  function nameCodeToolbars() {
    document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
      nav.setAttribute("aria-label", "Code block " + (index + 1));
    });
  }

  function reachScrollingBoxes() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
      var table = box.querySelector("table");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Table" + (table && table.tHead ? ": " +
          Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) { return cell.textContent.trim(); })
            .join(", ") : "") + " (scrolls sideways)");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function openDrawerWithKeys() {
    var button = document.querySelector("label[for='__drawer'][role=button]");
    var drawer = document.getElementById("__drawer");
    if (!button || !drawer || button.hasAttribute("data-sc-keys")) {
      return;
    }
    button.setAttribute("data-sc-keys", "");
    function say() {
      button.setAttribute("aria-expanded", drawer.checked ? "true" : "false");
    }
    function toggle() {
      drawer.click();  // the theme's own state: the checkbox the drawer's style follows
      say();
    }
    drawer.addEventListener("change", say);
    say();
    button.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") {
        return;
      }
      event.preventDefault();
      toggle();
      var first = drawer.checked && document.querySelector(".md-sidebar--primary .md-nav__link[href]");
      if (first) {
        first.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawer.checked) {
        toggle();
        button.focus();
      }
    });
  }

  function setUp() {
    openDrawerWithKeys();
    nameSearch();
    nameCodeToolbars();
    reachScrollingBoxes();
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(reachScrollingBoxes, 150);
  });
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { setTimeout(setUp, 0); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
