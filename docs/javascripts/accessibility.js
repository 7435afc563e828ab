/* What the theme's script leaves out for readers with a screen reader or a keyboard (guide/accessibility.md):
 * - the search dialog gets a name (the theme's has none);
 * - each code block's toolbar, a navigation landmark, gets a name of its own ("Code block 2"), so that
 *   landmarks can be told apart;
 * - on a phone, a table too wide for the screen reads as one block per row, each cell labelled with its
 *   column (the indexes' stacked rows, extra.css): a listing of detections, a detection's risk table;
 * - a box that still scrolls sideways (a wide table on a wider screen) can be reached with the keyboard and
 *   scrolled with the arrow keys; one that does not scroll stays out of the tab order;
 * - where the navigation is a drawer (a phone, a narrow or zoomed window), its button is a button for the
 *   keyboard too: Enter or Space opens it and moves to its first link, Escape closes it and comes back; while
 *   it is open, everything it and its shade cover is inert, so Tab stays in the drawer instead of going on to
 *   links and controls under it;
 * - Escape in the search, which the theme closes leaving the focus nowhere, gives the focus back to where the
 *   reader was before the search;
 * - the theme's "Back to top" button is no Tab stop: the theme takes the focus from it as soon as it hides it,
 *   which it does when the page scrolls down, so Shift+Tab from below it lost the reader's place (Home goes to
 *   the top);
 * - the colour scheme's toggle stops on the scheme in use (its radio button checked);
 * - a page's sections can be reached where the theme's table of contents is hidden (a phone, a narrow or zoomed
 *   window): the theme then shows it in the drawer, but only for a page of the navigation, which a detection,
 *   story or data source page is not; such a page gets a folded "On this page" list at its top instead.
 * It runs after the theme has set up each page (the theme's document$), and again when the window is resized
 * or a folded section opens. */
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

  var facets = window.scFacets;  // what the site's scripts share (facets.js, loaded first)
  var PHONE = facets ? window.matchMedia(facets.PHONE) : null;

  /* A table wider than its box on a phone is stacked, as the indexes' are (facets.stack). The mark stays when
   * the screen widens: extra.css stacks only at phone widths. */
  function stackWideTables() {
    if (!PHONE || !PHONE.matches) return;
    document.querySelectorAll(".md-typeset__scrollwrap table:not([data-sc-stacked])").forEach(function (table) {
      var box = table.closest(".md-typeset__scrollwrap");
      if (table.tHead && table.tBodies.length && box.scrollWidth > box.clientWidth + 1) facets.stack(table);
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

  /* The theme shows the toggle of the scheme in use but checks none of its radio buttons, so Tab stopped on
   * the first, whose toggle is hidden in the dark scheme: the focus showed nowhere, and Space chose the scheme
   * already in use. The radio button of the scheme in use is checked, as a radio group's current choice is. */
  function checkSchemeInUse() {
    var scheme = document.body.getAttribute("data-md-color-scheme");
    var inputs = document.querySelectorAll("input[name=__palette]");
    if (!Array.prototype.some.call(inputs, function (input) { return input.checked; })) {
      Array.prototype.forEach.call(inputs, function (input) {
        input.checked = input.getAttribute("data-md-color-scheme") === scheme;
      });
    }
  }

  /* What the open drawer and the shade beside it cover: everything else, the header with its button too (Escape
   * or a click on the shade closes the drawer). */
  var COVERED_BY_DRAWER = ".md-skip, .md-header, .md-tabs, .md-sidebar--secondary, .md-content, .md-top, .md-footer";
  var DRAWER_LAYOUT = window.matchMedia("(max-width: 76.234375em)");  // the theme's: wider, no drawer

  function openDrawerWithKeys() {
    var button = document.querySelector("label[for='__drawer'][role=button]");
    var drawer = document.getElementById("__drawer");
    if (!button || !drawer || button.hasAttribute("data-sc-keys")) {
      return;
    }
    button.setAttribute("data-sc-keys", "");
    function say() {
      button.setAttribute("aria-expanded", drawer.checked ? "true" : "false");
      var covering = drawer.checked && DRAWER_LAYOUT.matches;
      document.querySelectorAll(COVERED_BY_DRAWER).forEach(function (part) {
        part.inert = covering;
      });
    }
    function toggle() {
      drawer.click();  // the theme's own state: the checkbox the drawer's style follows
      say();
    }
    drawer.addEventListener("change", say);
    DRAWER_LAYOUT.addEventListener("change", say);  // a window widened with the drawer open covers nothing
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

  /* The theme's Escape closes the search and takes the focus from its box, to nowhere (the page's <body>): the
   * next Tab started again at the top of the page. The element the focus came from is focused again. */
  function returnFromSearchWithEscape() {
    var toggle = document.querySelector("[data-md-toggle=search]");
    if (!toggle || toggle.hasAttribute("data-sc-return")) {
      return;
    }
    toggle.setAttribute("data-sc-return", "");
    var before = null;
    function inSearch(element) {
      var search = document.querySelector(".md-search");
      return !!(search && element && search.contains(element));
    }
    document.addEventListener("focusin", function (event) {
      if (inSearch(event.target) && !inSearch(event.relatedTarget)) {
        before = event.relatedTarget;  // null where the focus was nowhere: it stays nowhere, and the page where it is
      }
    });
    // The theme closes the search in its own time, and the focus goes nowhere: blurred, or with the result that
    // had it taken out of the page (which tells no one). It is looked at until it has left the search.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !toggle.checked) {
        return;
      }
      var looks = 0, back = before;
      before = null;
      (function look() {
        var now = document.activeElement;
        if (!now || now === document.body) {
          if (back && back.isConnected) {
            back.focus();
          }
        } else if (inSearch(now) && looks++ < 20) {
          setTimeout(look, 50);
        }
      })();
    }, true);
  }

  function leaveBackToTopOutOfTabOrder() {
    var top = document.querySelector(".md-top");
    if (top) {
      top.setAttribute("tabindex", "-1");
    }
  }

  /* The sections of the theme's table of contents (a nested list of links), as a list of the page's own. */
  function sectionList(list) {
    var copy = document.createElement("ul");
    Array.prototype.forEach.call(list.children, function (item) {
      var link = item.querySelector(":scope > a");
      if (!link) return;
      var entry = copy.appendChild(document.createElement("li"));
      var to = entry.appendChild(document.createElement("a"));
      to.setAttribute("href", link.getAttribute("href"));
      to.textContent = link.textContent.trim();
      var inner = item.querySelector(":scope > nav > ul");
      if (inner) entry.appendChild(sectionList(inner));
    });
    return copy;
  }

  function listSectionsWhereTheContentsAreHidden() {
    var toc = document.querySelector(".md-sidebar--secondary [data-md-component=toc]");
    var article = document.querySelector("article.md-content__inner");
    if (!toc || !toc.children.length || !article || article.querySelector(".sc-page-toc")) return;
    if (document.querySelector(".md-nav--primary .md-nav--secondary")) return;  // the drawer shows them
    var fold = document.createElement("details");
    fold.className = "sc-page-toc";
    fold.appendChild(document.createElement("summary")).textContent = "On this page";
    fold.appendChild(sectionList(toc));
    var title = article.querySelector("h1");
    article.insertBefore(fold, title ? title.nextSibling : article.firstChild);
  }

  function setUp() {
    listSectionsWhereTheContentsAreHidden();
    leaveBackToTopOutOfTabOrder();
    checkSchemeInUse();
    openDrawerWithKeys();
    returnFromSearchWithEscape();
    nameSearch();
    nameCodeToolbars();
    stackWideTables();
    reachScrollingBoxes();
  }

  function fitTables() {
    stackWideTables();
    reachScrollingBoxes();
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(fitTables, 150);
  });
  // A table in a folded section (a detection's annotations) has no width until the section opens.
  document.addEventListener("toggle", function (event) {
    if (event.target.open) fitTables();
  }, true);
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { setTimeout(setUp, 0); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
