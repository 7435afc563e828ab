// The theme's search worker, with one fix to lunr, the search library it runs: the site's search worker
// with `search_sections: true` (the theme's index of every section; otherwise site-search-worker.js answers).
// The page names the theme's worker file after "?theme=" (generator/site/search.py puts this file in its place).
//
// lunr keeps the index's words as a graph of letters and merges nodes that print alike; a node printed
// as its letters and their target nodes' numbers run together ("a12" is both a->12 and a->1 followed by
// "2..."), so different nodes could be merged, and a prefix such as "t" or "ke" then stood for words
// the index does not have: the search failed ("Invalid query", no results) for short queries on a large
// site. Each target's number now ends with a comma, which no number contains.
(function () {
  "use strict";
  var name = new URL(self.location.href).searchParams.get("theme") || "";
  if (!/^search\.[0-9a-f]+\.min\.js$/.test(name)) {
    throw new Error("search-worker.js: no theme worker named");
  }
  importScripts(new URL("../assets/javascripts/workers/" + name, self.location.href).href);
  self.lunr.TokenSet.prototype.toString = function () {
    if (this._str) return this._str;
    var text = this.final ? "1" : "0";
    var labels = Object.keys(this.edges).sort();
    for (var i = 0; i < labels.length; i += 1) {
      text += labels[i] + this.edges[labels[i]].id + ",";
    }
    this._str = text;
    return text;
  };
})();
