/* Filters for the ATT&CK matrix (/techniques/): by type, status, product, data source and story. Each
 * technique is counted again over the detections chosen (api/detections.json, as the filters read it), and
 * shaded by the thresholds the legend states; the tactics' and sub-techniques' counts of covered techniques follow.
 * The state is kept in the address (facets.js), so a filtered matrix can be linked; without this script the
 * page shows the counts of every detection. */
(function () {
  "use strict";
  var facets = window.scFacets;
  if (!facets) return;
  var FACETS = ["type", "status", "product", "data_source", "story"];

  function start(host, records) {
    var matrix = document.querySelector(".sc-matrix");
    if (!matrix) return;
    // Each legend entry names its shade (heat-N) and starts with its fewest detections ("2–4 detections").
    var shades = [];
    matrix.querySelectorAll(".sc-matrix__legend li").forEach(function (item) {
      var level = /\bheat-([0-9]+)\b/.exec(item.className), least = parseInt(item.textContent, 10);
      if (level && least > 0) shades.push([least, Number(level[1])]);
    });
    shades.sort(function (a, b) { return b[0] - a[0]; });
    function heat(count) {
      for (var i = 0; i < shades.length; i += 1) if (count >= shades[i][0]) return shades[i][1];
      return 0;
    }
    // A technique is an item titled with its id; a covered one has its count in <b>.
    var cells = Array.prototype.slice.call(matrix.querySelectorAll(".sc-matrix__grid li[title]"));
    var controls = facets.controls(facets.withSource(FACETS, records), records);
    var count = facets.element("p", { "class": "sc-filters__count", "role": "status" });
    host.appendChild(facets.folded(controls));
    host.appendChild(count);
    var total = new Set(records.map(function (record) { return record.url; })).size;

    function covered(scope) { return scope.querySelectorAll("li[title]:not(.heat-0)").length; }

    function apply() {
      // Detections are counted by address, as the pages count them (twins at one address are one).
      var shown = new Set(), covering = Object.create(null);
      records.forEach(function (record) {
        if (!controls.matches(record)) return;
        shown.add(record.url);
        record.techniques.forEach(function (t) { (covering[t.id] = covering[t.id] || new Set()).add(record.url); });
      });
      var coveredIds = new Set();
      cells.forEach(function (cell) {
        var n = covering[cell.title] ? covering[cell.title].size : 0, number = cell.querySelector(":scope > b");
        cell.className = "heat-" + heat(n);
        if (number) { number.lastChild.textContent = n; number.hidden = n === 0; }  // after "detections: "
        if (n) coveredIds.add(cell.title);
      });
      matrix.querySelectorAll(".sc-matrix__grid details").forEach(function (details) {
        details.querySelector("summary > b").textContent = covered(details);
      });
      matrix.querySelectorAll(".sc-matrix__tactic").forEach(function (column) {
        column.querySelector("h2 b").textContent = covered(column);
      });
      matrix.querySelector(".sc-matrix__summary > b").textContent = coveredIds.size;
      count.textContent = facets.number(shown.size) + " of " + facets.number(total) + " detections";
      facets.keepInAddress(controls.query());
    }

    controls.onChange(apply);
    apply();
  }

  facets.whenLoaded("sc-matrix-filters", start);
})();
