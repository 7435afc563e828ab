// Content tabs (pymdownx.tabbed): the tab the address names is opened, and with the theme's content.tabs.link
// the tabs the reader chose last; run after the page's content (partials/javascripts/content.html).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("__config").textContent);
  var chosen = config.features.indexOf("content.tabs.link") >= 0 ? __md_get("__tabs") : null;
  if (Array.isArray(chosen)) {
    document.querySelectorAll(".tabbed-set").forEach(function (set) {
      var labels = Array.from(set.querySelector(".tabbed-labels").getElementsByTagName("label"));
      var label = chosen.map(function (tab) {
        return labels.find(function (each) { return each.innerText.trim() === tab; });
      }).find(Boolean);
      if (label) document.getElementById(label.htmlFor).checked = true;
    });
  }
  var target = document.getElementById(location.hash.slice(1));
  if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
})();
