/* "Am I up to date?" (/releases/up-to-date/): the reader picks the release they run, or pastes the detections they
 * run (names, or savedsearches.conf stanzas "ESCU - <name> - Rule", with or without versions), and sees which are
 * behind the newest release read, by how many versions, what changed since theirs, and which were deprecated,
 * removed or renamed. Everything happens here, over the site's api/releases.json (generator/site/release_pages.py); nothing
 * is sent anywhere. Content is only ever set as text. */
(function () {
  "use strict";
  var host = document.getElementById("sc-uptodate");
  var script = document.currentScript;
  if (!host || !script) return;
  var siteRoot = new URL("../", script.src);

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A detection's name as the reader may have it: without "ESCU - " and " - Rule", spaces collapsed. */
  function plainName(text) {
    return text.replace(/\s+/g, " ").trim().replace(/^ESCU - /i, "").replace(/ - Rule$/i, "").trim();
  }

  /* The pasted text as [{name, version, date}]: one detection a line, or savedsearches.conf stanzas, whose
   * action.escu.modification_date names their version by date; other `key = value` lines and comments are
   * left out. */
  function parseList(text) {
    var wanted = [];
    var stanza = null;
    text.split(/\r?\n/).forEach(function (line) {
      var match;
      if (/^\s*(#|;|$)/.test(line)) return;
      if ((match = /^\s*\[(.*)\]\s*$/.exec(line))) {
        stanza = { name: plainName(match[1]), version: null, date: null };
        if (stanza.name && stanza.name.toLowerCase() !== "default") wanted.push(stanza);
        return;
      }
      if ((match = /^\s*action\.escu\.modification_date\s*=\s*(\S+)/i.exec(line))) {
        if (stanza) stanza.date = match[1];
        return;
      }
      if (/^\s*[A-Za-z_][\w.:-]*\s*=/.test(line)) return;  // another setting of a stanza
      stanza = null;
      match = /^(.*?)(?:\s*[,\t;|]\s*|\s+v(?:ersion)?\s*)(\d+)\s*$/i.exec(line);
      var name = plainName(match ? match[1] : line);
      if (name) wanted.push({ name: name, version: match ? match[2] : null, date: null });
    });
    return wanted;
  }

  function setup(data) {
    var releases = data.releases;
    var newest = releases.length - 1;
    var byName = {};
    var byKey = {};
    data.detections.forEach(function (d) {
      byKey[d.key] = d;
      d.names.forEach(function (name) {
        var key = name.toLowerCase();
        (byName[key] = byName[key] || []).push(d);
      });
    });

    /* The run (of releases holding one version) a reader has, or null when nothing says which. */
    function theirRun(d, item, picked) {
      var runs = d["in"];
      var found = null;
      runs.forEach(function (run) {
        if (item.version !== null ? run[2] === item.version : item.date && run[3] === item.date) found = run;
      });
      if (!found && item.version === null && picked !== null) {  // nothing on its line says which: the release picked
        runs.forEach(function (run) { if (run[0] <= picked && picked <= run[1]) found = run; });
      }
      return found;
    }

    function newestRun(d) {
      var runs = d["in"];
      var last = runs[runs.length - 1];
      return last[1] === newest ? last : null;
    }

    /* The name a detection had in a release (of those that held it). */
    function nameIn(d, position) {
      var name = d.name;
      (d.named || []).forEach(function (entry) { if (entry[0] <= position) name = entry[1]; });
      return name;
    }

    /* Of the detections a pasted name may be, the one meant: the one of that very name (case and all) that the
     * newest release has, before one that was removed or that was only once named so. */
    function meant(matches, name) {
      function score(d) {
        return (d.name === name ? 4 : 0) + (newestRun(d) ? 2 : 0) + (d.name.toLowerCase() === name.toLowerCase() ? 1 : 0);
      }
      return matches.slice().sort(function (a, b) { return score(b) - score(a); })[0];
    }

    /* A detection of the list compared with the newest release: {status, behind, since, ...}. */
    function compare(d, item, picked) {
      var mine = theirRun(d, item, picked);
      var latest = newestRun(d);
      // Not in the release picked, and nothing else says which version: added since, in the first release after it.
      var added = !mine && item.version === null && picked !== null && latest ?
        d["in"].filter(function (run) { return run[0] > picked; })[0] : null;
      var after = mine ? mine[1] : added ? added[0] : -1;
      if (!mine && item.version !== null) {  // a version no release read had: after the last one not newer
        d["in"].forEach(function (run) { if (Number(run[2]) <= Number(item.version)) after = run[1]; });
      }
      // Deprecated after the reader's release, whether or not its version changed then (Splunk often deprecates
      // a detection without a new version): from the release they run, else the first that had their version.
      var theirs = mine ? (picked !== null && mine[0] <= picked && picked <= mine[1] ? picked : mine[0]) : after;
      var deprecation = latest && d.status === "deprecated" ?
        d.changes.filter(function (change) { return change[1] === "deprecated" && change[0] > theirs; }).pop() : null;
      var since = d.changes.filter(function (change) {
        return (change[0] > after && change[1] !== "first") || change === deprecation;
      });
      var result = { detection: d, item: item, mine: mine, latest: latest, since: since, picked: picked };
      var behind = latest ? Number(latest[2]) - Number(mine ? mine[2] : item.version) : 0;
      var versionsBehind = behind > 0 ? behind + (behind === 1 ? " version behind" : " versions behind") : "";
      var removed = d.changes.filter(function (change) { return change[1] === "removed"; }).pop();
      if (!latest) {
        result.status = "removed";
        result.text = removed ? "removed in " + releases[removed[0]].name : "not in " + releases[newest].name;
        var successor = d.replaced_by && byKey[d.replaced_by];
        if (successor) result.text += ", replaced by " + successor.name;
      } else if (added) {
        result.status = "added";
        result.text = "not in " + releases[picked].name + "; added in " + releases[added[0]].name;
      } else if (!mine && item.version === null) {
        result.status = "unknown";
        result.text = "your version is not known: pick your release, or give versions";
      } else if (!mine && Number(item.version) > Number(latest[2])) {
        result.status = "newer";
        result.text = "newer than any release: " + releases[newest].name + " has version " + latest[2];
      } else if (deprecation) {
        result.status = "deprecated";
        result.text = ["deprecated in " + releases[deprecation[0]].name, versionsBehind].filter(Boolean).join("; ");
      } else if (mine ? mine[1] === newest : Number(item.version) === Number(latest[2])) {
        result.status = "current";
        result.text = "up to date";
      } else {
        result.status = "behind";
        result.text = versionsBehind || "changed since";
      }
      if (d.name.toLowerCase() !== item.name.toLowerCase()) result.text += "; now named " + d.name;
      return result;
    }

    var form = element("div", { "class": "sc-uptodate__form" });
    var select = element("select", { id: "sc-uptodate-release" });
    select.appendChild(element("option", { value: "" }, "— the release you run —"));
    for (var index = newest; index >= 0; index--) {
      select.appendChild(element("option", { value: String(index) }, releases[index].name + " (" + releases[index].date + ")"));
    }
    var area = element("textarea", { id: "sc-uptodate-list", spellcheck: "false",
      placeholder: "Windows AdFind Exe, 3\nESCU - Detect Regsvcs with Network Connection - Rule\n[ESCU - Create Remote Thread into LSASS - Rule]" });
    var button = element("button", { type: "button", "class": "md-button md-button--primary", id: "sc-uptodate-compare" },
      "Compare with " + releases[newest].name);
    form.appendChild(element("label", { "for": "sc-uptodate-release" }, "The release you run"));
    form.appendChild(select);
    form.appendChild(element("label", { "for": "sc-uptodate-list" }, "The detections you run (optional)"));
    form.appendChild(area);
    form.appendChild(element("p", {})).appendChild(button);
    var results = element("div", { id: "sc-uptodate-results", "aria-live": "polite" });
    host.textContent = "";
    host.appendChild(form);
    host.appendChild(results);

    /* The releases that had a version (a run of them): the one picked where it is among them. */
    function releasesOf(run, picked) {
      if (picked !== null && run[0] <= picked && picked <= run[1]) return releases[picked].name;
      return run[0] === run[1] ? releases[run[0]].name : releases[run[0]].name + " to " + releases[run[1]].name;
    }

    function row(table, result) {
      var d = result.detection;
      var tr = element("tr", { "class": "sc-uptodate__row sc-uptodate__row--" + result.status });
      var name = element("td");
      // The name the reader has (pasted, or the release picked had); the status says what it is named now.
      var renamed = d.name.toLowerCase() !== result.item.name.toLowerCase();
      name.appendChild(element("a", { href: new URL(d.url, siteRoot).href }, renamed ? result.item.name : d.name));
      tr.appendChild(name);
      tr.appendChild(element("td", { "data-label": "Yours" }, result.mine ? result.mine[2] + " (" +
        releasesOf(result.mine, result.picked) + ")" : result.item.version !== null ? result.item.version : "—"));
      tr.appendChild(element("td", { "data-label": "Newest" }, result.latest ? result.latest[2] : "—"));
      tr.appendChild(element("td", { "class": result.status === "current" ? "sc-uptodate__current" : "sc-uptodate__behind",
        "data-label": "Status" }, result.text));
      var changes = element("td", { "data-label": "Changed since yours" });
      result.since.forEach(function (change, position) {
        if (position) changes.appendChild(document.createTextNode("; "));
        changes.appendChild(element("a", { href: new URL(releases[change[0]].url, siteRoot).href }, releases[change[0]].name));
        var what = change[1] === "removed" ? "removed" : change[1] === "deprecated" ? "deprecated" : "";
        var fields = change[2].join(", ");
        // Nothing named: the file's keys and values are the same, only its layout changed (releases.py).
        changes.appendChild(document.createTextNode(": " + ([what, fields].filter(Boolean).join(", ") ||
                                                             "only the file's layout")));
      });
      tr.appendChild(changes);
      table.appendChild(tr);
    }

    var number = window.scFacets.number;  // 1,650, as the site's pages write a count

    /* The summary of every result, and a row for each (where `everyRow` is false, for those not up to date). */
    function show(compared, unknown, everyRow, picked) {
      results.textContent = "";
      var counts = { behind: 0, deprecated: 0, removed: 0, current: 0, unknown: 0, newer: 0, added: 0 };
      compared.forEach(function (result) { counts[result.status] += 1; });
      var held = compared.length - (everyRow ? 0 : counts.added);  // a release's own, without those added since
      var parts = [number(held) + (held === 1 ? " detection" : " detections") + ": " + number(counts.behind) +
        " behind, " + (counts.deprecated ? number(counts.deprecated) + " deprecated since, " : "") +
        number(counts.removed) + " removed, " + number(counts.current) + " up to date"];
      if (counts.added) parts.push(number(counts.added) + " added since " + releases[picked].name);
      if (counts.unknown) parts.push(number(counts.unknown) + " whose version is not known");
      if (counts.newer) parts.push(number(counts.newer) + " newer than any release");
      if (unknown.length) parts.push(number(unknown.length) + " not found in any release read");
      results.appendChild(element("p", { "class": "sc-uptodate__summary" }, parts.join("; ") + "."));
      if (compared.length) {
        // On a phone each result reads as a block, its cells labelled (the indexes' stacked rows, extra.css).
        var table = element("table", { "class": "sc-uptodate__table", "data-sc-stacked": "" });
        var head = element("tr");
        ["Detection", "Yours", "Newest", "Status", "Changed since yours"].forEach(function (title) {
          head.appendChild(element("th", {}, title));
        });
        table.appendChild(element("thead")).appendChild(head);
        var body = element("tbody");
        compared.forEach(function (result) { if (everyRow || result.status !== "current") row(body, result); });
        table.appendChild(body);
        results.appendChild(table);
      }
      if (unknown.length) {
        results.appendChild(element("p", {}, "Not found: " + unknown.join("; ")));
      }
    }

    function run() {
      var picked = select.value === "" ? null : Number(select.value);
      var wanted = parseList(area.value);
      var compared = [];
      var unknown = [];
      if (!wanted.length && picked === null) {
        results.textContent = "";
        results.appendChild(element("p", { "class": "sc-uptodate__summary" },
          "Pick the release you run, or paste the detections you run (or both)."));
        return;
      }
      if (!wanted.length) {
        // The whole release: every ESCU detection it held (as its page counts them: not the Behavioral
        // Analytics, which run elsewhere); those that changed or went since are listed, and those added since.
        data.detections.forEach(function (d) {
          var held = d["in"].filter(function (run) { return run[0] <= picked && picked <= run[1]; })[0];
          var item = { name: held ? nameIn(d, picked) : d.name, version: null, date: null };
          var newestOne = newestRun(d);
          if (held ? !held[4] : newestOne && !newestOne[4]) compared.push(compare(d, item, picked));  // or added since
        });
      } else {
        wanted.forEach(function (item) {
          var matches = byName[item.name.toLowerCase()];
          if (!matches) { unknown.push(item.name); return; }
          compared.push(compare(meant(matches, item.name), item, picked));
        });
      }
      show(compared, unknown, wanted.length > 0, picked);
    }

    button.addEventListener("click", run);
    select.addEventListener("change", run);
  }

  fetch(new URL("api/releases.json", siteRoot)).then(function (response) {
    if (!response.ok) throw new Error(response.status);
    return response.json();
  }).then(setup).catch(function () {
    host.textContent = "The releases data (api/releases.json) could not be read.";
  });
})();
