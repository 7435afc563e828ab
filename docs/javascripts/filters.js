/* Filters for the detections index: by type, status, kind, product, data source, tactic, technique and
 * story, sorted by name or date, with counts; the state is kept in the address (?type=TTP&sort=date), so a
 * filtered view can be linked. The data is the site's own export, api/detections.json; the published table
 * stays as it is and its rows are shown, hidden and ordered. Content is only ever set as text. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var siteRoot = new URL("../", script.src);
  var FACETS = [
    ["type", "Type", function (d) { return [d.type]; }],
    ["status", "Status", function (d) { return [d.status]; }],
    ["kind", "Kind", function (d) { return [d.kind]; }],
    ["product", "Product", function (d) { return d.products; }],
    ["data_source", "Data source", function (d) { return d.data_sources; }],
    ["tactic", "Tactic", function (d) {
      var tactics = [];
      d.techniques.forEach(function (t) { t.tactics.forEach(function (x) { tactics.push(x); }); });
      return tactics;
    }],
    ["technique", "Technique", function (d) { return d.techniques.map(function (t) { return t.id + " " + t.name; }); }],
    ["story", "Story", function (d) { return d.stories; }]
  ];

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isoDate(date) {
    var parts = String(date).split("-");
    if (parts.length !== 3) return "0000-00-00";
    return parts[0].padStart(4, "0") + "-" + parts[1].padStart(2, "0") + "-" + parts[2].padStart(2, "0");
  }

  function start(host, records) {
    // The first table after the filters' place (the theme wraps tables in a scrolling box).
    var table = null;
    for (var next = host.nextElementSibling; next && !table; next = next.nextElementSibling) {
      table = next.tagName === "TABLE" ? next : next.querySelector("table");
    }
    if (!table || !table.tBodies.length) return;
    var body = table.tBodies[0];
    var byUrl = {}, byName = {};
    records.forEach(function (record) {
      byUrl[new URL(record.url, siteRoot).href] = record;
      byName[record.name] = byName[record.name] || record;
    });
    // A row links its detection's page; the published form wrote some rows without a link, found by name.
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      var link = row.cells[0] && row.cells[0].querySelector("a[href]");
      var name = row.cells[0] ? row.cells[0].textContent.replace(/\s+(experimental|deprecated)$/, "").trim() : "";
      return { row: row, index: index, record: (link && byUrl[link.href]) || byName[name] };
    });
    var params = new URLSearchParams(window.location.search);
    var controls = element("div", { "class": "sc-filters__controls" });
    var selects = {};
    FACETS.forEach(function (facet) {
      var counts = {};
      rows.forEach(function (entry) {
        if (!entry.record) return;
        Array.from(new Set(facet[2](entry.record))).forEach(function (value) {
          if (value) counts[value] = (counts[value] || 0) + 1;
        });
      });
      var label = element("label", { "class": "sc-filters__facet" }, facet[1] + " ");
      var select = element("select", { "name": facet[0], "aria-label": facet[1] });
      select.appendChild(element("option", { value: "" }, "any"));
      Object.keys(counts).sort().forEach(function (value) {
        select.appendChild(element("option", { value: value }, value + " (" + counts[value] + ")"));
      });
      select.value = params.get(facet[0]) || "";
      label.appendChild(select);
      controls.appendChild(label);
      selects[facet[0]] = select;
    });
    var sortLabel = element("label", { "class": "sc-filters__facet" }, "Sort ");
    var sort = element("select", { "name": "sort", "aria-label": "Sort" });
    sort.appendChild(element("option", { value: "" }, "by name"));
    sort.appendChild(element("option", { value: "date" }, "newest first"));
    sort.value = params.get("sort") === "date" ? "date" : "";
    sortLabel.appendChild(sort);
    controls.appendChild(sortLabel);
    var count = element("p", { "class": "sc-filters__count", "role": "status" });
    host.appendChild(controls);
    host.appendChild(count);

    function apply() {
      var shown = 0;
      var query = new URLSearchParams();
      FACETS.forEach(function (facet) { if (selects[facet[0]].value) query.set(facet[0], selects[facet[0]].value); });
      if (sort.value) query.set("sort", sort.value);
      rows.forEach(function (entry) {
        var match = FACETS.every(function (facet) {
          var wanted = selects[facet[0]].value;
          return !wanted || (entry.record && facet[2](entry.record).indexOf(wanted) >= 0);
        });
        entry.row.hidden = !match;
        if (match) shown += 1;
      });
      var ordered = rows.slice().sort(function (a, b) {
        if (sort.value === "date") {
          var da = a.record ? isoDate(a.record.date) : "", db = b.record ? isoDate(b.record.date) : "";
          if (da !== db) return da < db ? 1 : -1;
        }
        return a.index - b.index;
      });
      ordered.forEach(function (entry) { body.appendChild(entry.row); });
      count.textContent = shown + " of " + rows.length + " detections";
      var search = query.toString();
      history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }

    Object.keys(selects).forEach(function (name) { selects[name].addEventListener("change", apply); });
    sort.addEventListener("change", apply);
    apply();
  }

  function load() {
    var host = document.getElementById("sc-filters");
    if (!host) return;
    fetch(new URL("api/detections.json", siteRoot)).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (records) { start(host, records); }).catch(function () { /* the table stays as it is */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
