/* What the site's filters share (filters.js, the detections, stories and playbooks indexes; matrix.js, the
 * ATT&CK matrix): the data they read (the records of api/detections.json, api/stories.json and
 * api/playbooks.json with the fields they filter by, in assets/sc-filters/), a select per facet listing each
 * value with how many items have it, and the chosen values kept in the address (?type=TTP&story=...), so that
 * a filtered view can be linked. Content is only ever set as text. */
window.scFacets = (function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = script ? new URL("../", script.src) : null;
  // Each facet: its label and the values an item of the export (a detection, story or playbook) has for it.
  var FACETS = {
    type: ["Type", function (d) { return [d.type]; }],
    category: ["Category", function (d) { return d.categories; }],
    use_case: ["Use case", function (d) { return d.use_cases; }],
    app: ["SOAR app", function (d) { return d.apps; }],
    status: ["Status", function (d) { return [d.status]; }],
    kind: ["Kind", function (d) { return [d.kind]; }],
    product: ["Product", function (d) { return d.products; }],
    data_source: ["Data source", function (d) { return d.data_sources; }],
    tactic: ["Tactic", function (d) {
      var tactics = [];
      d.techniques.forEach(function (t) { t.tactics.forEach(function (x) { tactics.push(x); }); });
      return tactics;
    }],
    // A technique the ATT&CK bundle lacks has no name: its id alone.
    technique: ["Technique", function (d) {
      return d.techniques.map(function (t) { return t.name ? t.id + " " + t.name : t.id; });
    }],
    story: ["Story", function (d) { return d.stories; }],
    // Only a site of several content sources has it (content_source in the exports).
    source: ["Content source", function (d) { return d.content_source ? [d.content_source] : []; }]
  };

  /* A count as the site's pages write it: 1,711. */
  function number(count) {
    return count.toLocaleString("en-US");
  }

  /* Values in the order a reader looks for them: "Abnormal ..." before "AWS ...", "osquery" among the o's
   * (code-unit order put every capital first); names equal but for case in a fixed order. */
  function byName(a, b) {
    return a.localeCompare(b, "en", { sensitivity: "base", numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The value of `values` an address's `wanted` stands for: itself, itself in another case ("execution"), or
   * the value it begins as a word (a technique's id: "T1059.001" is "T1059.001 PowerShell"); "" for none. */
  function resolve(wanted, values) {
    if (!wanted || values.indexOf(wanted) >= 0) return wanted || "";
    var lower = wanted.toLowerCase();
    return values.filter(function (value) { return value.toLowerCase() === lower; })[0] ||
      values.filter(function (value) { return value.toLowerCase().indexOf(lower + " ") === 0; })[0] || "";
  }

  /* A select for each facet of `names` (in that order), listing each value of `records`, each set to the value
   * the address gives it (see resolve; a value nothing has is said so, and not applied). Each value shows how
   * many records have it among those the other facets' choices leave (what choosing it would show). */
  function controls(names, records) {
    var params = new URLSearchParams(window.location.search);
    var node = element("div", { "class": "sc-filters__controls" });
    var selects = {}, options = {}, unknown = [];

    function has(record, name, wanted) {
      return !wanted || (record !== undefined && (FACETS[name][1](record) || []).indexOf(wanted) >= 0);
    }

    function valuesOf(record, name) {
      return Array.from(new Set(FACETS[name][1](record) || [])).filter(function (value) { return value; });
    }

    names.forEach(function (name) {
      var label = FACETS[name][0];
      var seen = {};
      records.forEach(function (record) { valuesOf(record, name).forEach(function (value) { seen[value] = 1; }); });
      var wrapper = element("label", { "class": "sc-filters__facet" }, label + " ");
      var select = element("select", { "name": name, "aria-label": label });
      select.appendChild(element("option", { value: "" }, "any"));
      options[name] = {};
      Object.keys(seen).sort(byName).forEach(function (value) {
        options[name][value] = select.appendChild(element("option", { value: value }, value));
      });
      var wanted = params.get(name) || "";
      select.value = resolve(wanted, Object.keys(seen));
      if (wanted && !select.value) unknown.push(label + " \u201c" + wanted + "\u201d");
      wrapper.appendChild(select);
      node.appendChild(wrapper);
      selects[name] = select;
    });
    if (unknown.length) {  // a link with a value nothing here has shows everything, and says why
      node.appendChild(element("p", { "class": "sc-filters__unknown", "role": "status" },
                               "Nothing here has " + unknown.join(" or ") + ", so that filter is not applied."));
    }

    function recount() {
      names.forEach(function (name) {
        var counts = {};
        records.forEach(function (record) {
          var others = names.every(function (other) { return other === name || has(record, other, selects[other].value); });
          if (others) valuesOf(record, name).forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
        });
        Object.keys(options[name]).forEach(function (value) {
          options[name][value].textContent = value + " (" + number(counts[value] || 0) + ")";
        });
      });
    }
    recount();
    // Back to everything in one click (a combination can leave nothing to show).
    var clear = node.appendChild(element("button", { "type": "button", "class": "md-button sc-filters__clear" },
                                         "Clear filters"));
    // What runs after each change, once the counts are recounted (the page's apply, the fold's label).
    var handlers = [];
    function changed() {
      recount();
      handlers.forEach(function (handler) { handler(); });
    }
    names.forEach(function (name) { selects[name].addEventListener("change", changed); });
    clear.addEventListener("click", function () {
      names.forEach(function (name) { selects[name].value = ""; });
      changed();
    });

    return {
      node: node,
      /* Does `record` (maybe undefined: a row the export lacks) have every chosen value? */
      matches: function (record) {
        return names.every(function (name) { return has(record, name, selects[name].value); });
      },
      /* The chosen values, as the address keeps them. */
      query: function () {
        var query = new URLSearchParams();
        names.forEach(function (name) { if (selects[name].value) query.set(name, selects[name].value); });
        return query;
      },
      onChange: function (handler) { handlers.push(handler); }
    };
  }

  var PHONE = "(max-width: 44.984375em)";  // the theme's breakpoint for its phone layout

  /* Mark `table` to read as one block per row on a phone (extra.css), each cell labelled with its column's
   * heading. Its first column stays unlabelled where it holds the rows' links (each row's name, as in the
   * indexes); otherwise every cell is labelled (then marked "labelled"). Rows added later are not labelled. */
  function stack(table) {
    var headings = table.tHead ? Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return cell.textContent.trim();
    }) : [];
    var rows = table.tBodies.length ? table.tBodies[0].rows : [];
    var named = Array.prototype.some.call(rows, function (row) {
      return row.cells[0] && row.cells[0].querySelector("a[href]");
    });
    Array.prototype.forEach.call(rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, column) {
        if ((column > 0 || !named) && headings[column]) cell.setAttribute("data-label", headings[column]);
      });
    });
    table.setAttribute("data-sc-stacked", named ? "" : "labelled");
  }

  /* The controls folded into one, "Filters" (with how many are chosen): open on a wide screen, closed on a
   * phone, where they would fill the first screen. `extra` is chosen too when set (the sort order). */
  function folded(controls, extra) {
    var details = element("details", { "class": "sc-filters__fold" });
    var summary = details.appendChild(element("summary", {}, "Filters"));
    details.appendChild(controls.node);
    details.open = !window.matchMedia(PHONE).matches;
    function label() {
      var chosen = Array.from(controls.query().keys()).length + (extra && extra.value ? 1 : 0);
      summary.textContent = chosen ? "Filters (" + chosen + " chosen)" : "Filters";
    }
    label();
    controls.onChange(label);
    if (extra) extra.addEventListener("change", label);
    return details;
  }

  /* Put `query` in the address without a new history entry. */
  function keepInAddress(query) {
    var search = query.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
  }

  /* Once the page is ready and if it has an element of id `hostId`: start(host, items of the export, its
   * name). The export is the one the host's class names (sc-filters--stories: the stories), else the
   * detections, read from assets/sc-filters/, where each export's records have only the fields the filters
   * use (exports.py). Without it the page stays as it is. */
  function whenLoaded(hostId, start) {
    function load() {
      var host = document.getElementById(hostId);
      if (!host || !siteRoot) return;
      var named = /(?:^|\s)sc-filters--(detections|stories|playbooks)(?:\s|$)/.exec(host.className);
      var name = named ? named[1] : "detections";
      fetch(new URL("assets/sc-filters/" + name + ".json", siteRoot)).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(function (records) { start(host, records, name); }).catch(function () { /* the page stays as it is */ });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
    else load();
  }

  /* The facets `names` of `records`, the content source first where they come from several. */
  function withSource(names, records) {
    var sources = new Set(records.map(function (record) { return record.content_source; }));
    sources.delete(undefined);
    return sources.size > 1 ? ["source"].concat(names) : names;
  }

  return { siteRoot: siteRoot, element: element, number: number, controls: controls, folded: folded,
           keepInAddress: keepInAddress, whenLoaded: whenLoaded, withSource: withSource, stack: stack,
           PHONE: PHONE };
})();
