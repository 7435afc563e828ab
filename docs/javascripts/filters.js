/* Filters for the detections index (by type, status, kind, product, data source, tactic, technique and
 * story), the stories index (by category and product) and the playbooks index (by type, use case, SOAR app
 * and product), and by content source where the site has several, each sorted by name or date (newest first,
 * each row then says its date after its name: the tables have no date column), with
 * counts; the state is kept in the address (?type=TTP&sort=date), so a filtered view can be linked. The data
 * is the site's own export of each (api/detections.json, ..., as the filters read them: assets/sc-filters/);
 * the published table stays as it is and its rows are shown, hidden and ordered. What it shares with the
 * ATT&CK matrix's filters is in facets.js. */
(function () {
  "use strict";
  var facets = window.scFacets;
  if (!facets) return;
  var element = facets.element;
  var FACETS = {
    detections: ["type", "status", "kind", "product", "data_source", "tactic", "technique", "story"],
    stories: ["category", "product"],
    playbooks: ["type", "use_case", "app", "product"]
  };

  function isoDate(date) {
    var parts = String(date).split("-");
    if (parts.length !== 3) return "0000-00-00";
    return parts[0].padStart(4, "0") + "-" + parts[1].padStart(2, "0") + "-" + parts[2].padStart(2, "0");
  }

  /* A row's name: its first cell's text without the badges after it (status, content source). */
  function nameOf(cell) {
    var copy = cell.cloneNode(true);
    copy.querySelectorAll(".sc-status, .sc-source, .sc-filters__date").forEach(function (badge) { badge.remove(); });
    return copy.textContent.trim();
  }

  /* A row's date after its name while the list is sorted by date; hidden while it is sorted by name. */
  function showDate(entry, shown) {
    var cell = entry.row.cells[0];
    var date = cell && cell.querySelector(".sc-filters__date");
    if (!shown || !entry.record || !entry.record.date) {
      if (date) date.hidden = true;
      return;
    }
    if (!date) {
      date = element("time", { "class": "sc-filters__date" });
      cell.appendChild(date);
    }
    date.dateTime = date.textContent = isoDate(entry.record.date);
    date.hidden = false;
  }

  function start(host, records, listing) {
    // The first table after the filters' place (the theme wraps tables in a scrolling box).
    var table = null;
    for (var next = host.nextElementSibling; next && !table; next = next.nextElementSibling) {
      table = next.tagName === "TABLE" ? next : next.querySelector("table");
    }
    if (!table || !table.tBodies.length) return;
    // Reading a long index's other parts takes a moment (seconds on a slow connection): say so meanwhile.
    if (document.querySelector(".sc-pages a[href]")) {
      host.appendChild(element("p", { "class": "sc-filters__reading", "role": "status" },
                               "Reading the rest of the list for the filters\u2026"));
    }
    withOtherParts(table, function () { filter(host, records, listing, table); });
  }

  /* A long index is split into parts of a few hundred rows, linked from each other (generator/site/split.py):
   * their rows are put in this table, so that the filters choose among every entry, and the parts' links
   * are hidden. If a part cannot be read, the page stays as it is (its rows, and the links to the others). */
  function withOtherParts(table, then) {
    var pager = document.querySelector(".sc-pages");
    var links = pager ? Array.prototype.slice.call(pager.querySelectorAll("a[href]")) : [];
    if (!links.length) return then();
    Promise.all(links.map(function (link) {
      var address = link.href;
      return fetch(address).then(function (response) {
        if (!response.ok) throw new Error(address);
        return response.text();
      }).then(function (text) {
        var part = new DOMParser().parseFromString(text, "text/html").querySelector("article table");
        if (!part || !part.tBodies.length) throw new Error(address);
        var rows = Array.prototype.slice.call(part.tBodies[0].rows);
        rows.forEach(function (row) {  // its links were relative to the part's address
          row.querySelectorAll("a[href]").forEach(function (a) {
            a.setAttribute("href", new URL(a.getAttribute("href"), address).href);
          });
        });
        return rows;
      });
    })).then(function (parts) {
      var body = table.tBodies[0];
      parts.forEach(function (rows) {
        rows.forEach(function (row) { body.appendChild(document.importNode(row, true)); });
      });
      document.querySelectorAll(".sc-pages").forEach(function (element) { element.hidden = true; });
      then();
    }, then);
  }

  function filter(host, records, listing, table) {
    var body = table.tBodies[0];
    // On a phone each row reads as a block, each cell labelled with its column (extra.css); wide screens and
    // pages without this script keep the table.
    facets.stack(table);
    var byUrl = {}, byName = {};
    records.forEach(function (record) {
      byUrl[new URL(record.url, facets.siteRoot).href] = record;
      byName[record.name] = byName[record.name] || record;
    });
    // A row links its page; a row whose link led nowhere is shown as plain text (markdown.py): found by name.
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      var link = row.cells[0] && row.cells[0].querySelector("a[href]");
      var name = row.cells[0] ? nameOf(row.cells[0]) : "";
      return { row: row, index: index, record: (link && byUrl[link.href]) || byName[name] };
    });
    var controls = facets.controls(facets.withSource(FACETS[listing], records), rows.filter(function (entry) { return entry.record; })
      .map(function (entry) { return entry.record; }));
    var sortLabel = element("label", { "class": "sc-filters__facet" }, "Sort ");
    var sort = element("select", { "name": "sort", "aria-label": "Sort" });
    sort.appendChild(element("option", { value: "" }, "by name"));
    sort.appendChild(element("option", { value: "date" }, "newest first"));
    sort.value = new URLSearchParams(window.location.search).get("sort") === "date" ? "date" : "";
    sortLabel.appendChild(sort);
    controls.node.appendChild(sortLabel);
    var count = element("p", { "class": "sc-filters__count", "role": "status" });
    host.querySelectorAll(".sc-filters__reading").forEach(function (reading) { reading.remove(); });
    host.appendChild(facets.folded(controls, sort));
    host.appendChild(count);

    function apply() {
      var shown = 0;
      var query = controls.query();
      if (sort.value) query.set("sort", sort.value);
      rows.forEach(function (entry) {
        var match = controls.matches(entry.record);
        entry.row.hidden = !match;
        if (match) shown += 1;
        showDate(entry, sort.value === "date");
      });
      var ordered = rows.slice().sort(function (a, b) {
        if (sort.value === "date") {
          var da = a.record ? isoDate(a.record.date) : "", db = b.record ? isoDate(b.record.date) : "";
          if (da !== db) return da < db ? 1 : -1;
        }
        return a.index - b.index;
      });
      ordered.forEach(function (entry) { body.appendChild(entry.row); });
      count.textContent = facets.number(shown) + " of " + facets.number(rows.length) + " " + listing;
      facets.keepInAddress(query);
    }

    controls.onChange(apply);
    sort.addEventListener("change", apply);
    apply();
  }

  facets.whenLoaded("sc-filters", start);
})();
