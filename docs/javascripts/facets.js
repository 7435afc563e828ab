/* What the site's filters share (filters.js, the detections index; matrix.js, the ATT&CK matrix): the
 * detections export they read (api/detections.json), a select per facet listing each value with how many
 * detections have it, and the chosen values kept in the address (?type=TTP&story=...), so that a filtered view
 * can be linked. Content is only ever set as text. */
window.scFacets = (function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = script ? new URL("../", script.src) : null;
  // Each facet: its label and the values a detection of the export has for it.
  var FACETS = {
    type: ["Type", function (d) { return [d.type]; }],
    status: ["Status", function (d) { return [d.status]; }],
    kind: ["Kind", function (d) { return [d.kind]; }],
    product: ["Product", function (d) { return d.products; }],
    data_source: ["Data source", function (d) { return d.data_sources; }],
    tactic: ["Tactic", function (d) {
      var tactics = [];
      d.techniques.forEach(function (t) { t.tactics.forEach(function (x) { tactics.push(x); }); });
      return tactics;
    }],
    technique: ["Technique", function (d) { return d.techniques.map(function (t) { return t.id + " " + t.name; }); }],
    story: ["Story", function (d) { return d.stories; }]
  };

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A select for each facet of `names` (in that order), each value of `records` with its count, each set to the
   * value the address gives it. */
  function controls(names, records) {
    var params = new URLSearchParams(window.location.search);
    var node = element("div", { "class": "sc-filters__controls" });
    var selects = {};
    names.forEach(function (name) {
      var label = FACETS[name][0], values = FACETS[name][1];
      var counts = {};
      records.forEach(function (record) {
        Array.from(new Set(values(record))).forEach(function (value) {
          if (value) counts[value] = (counts[value] || 0) + 1;
        });
      });
      var wrapper = element("label", { "class": "sc-filters__facet" }, label + " ");
      var select = element("select", { "name": name, "aria-label": label });
      select.appendChild(element("option", { value: "" }, "any"));
      Object.keys(counts).sort().forEach(function (value) {
        select.appendChild(element("option", { value: value }, value + " (" + counts[value] + ")"));
      });
      select.value = params.get(name) || "";
      wrapper.appendChild(select);
      node.appendChild(wrapper);
      selects[name] = select;
    });
    return {
      node: node,
      /* Does `record` (maybe undefined: a row the export lacks) have every chosen value? */
      matches: function (record) {
        return names.every(function (name) {
          var wanted = selects[name].value;
          return !wanted || (record !== undefined && FACETS[name][1](record).indexOf(wanted) >= 0);
        });
      },
      /* The chosen values, as the address keeps them. */
      query: function () {
        var query = new URLSearchParams();
        names.forEach(function (name) { if (selects[name].value) query.set(name, selects[name].value); });
        return query;
      },
      onChange: function (handler) {
        names.forEach(function (name) { selects[name].addEventListener("change", handler); });
      }
    };
  }

  /* Put `query` in the address without a new history entry. */
  function keepInAddress(query) {
    var search = query.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
  }

  /* Once the page is ready and if it has an element of id `hostId`: start(host, detections of the export).
   * Without the export the page stays as it is. */
  function whenLoaded(hostId, start) {
    function load() {
      var host = document.getElementById(hostId);
      if (!host || !siteRoot) return;
      fetch(new URL("api/detections.json", siteRoot)).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(function (records) { start(host, records); }).catch(function () { /* the page stays as it is */ });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
    else load();
  }

  return { siteRoot: siteRoot, element: element, controls: controls, keepInAddress: keepInAddress,
           whenLoaded: whenLoaded };
})();
