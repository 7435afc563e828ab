// The site's search worker: it answers the theme's search box (the theme's messages: setup, ready, query,
// result) in place of the theme's lunr worker, over the index the build made (generator/site/search.py,
// `with_word_index`): every word of the site in sorted order and, for each, the entries that have it. At
// 10,000 detections lunr spent 3.6 s indexing the entries in the reader's browser and 200 ms on a prefix
// query; here nothing is indexed in the browser, and a query looks its words and their completions up.
//
// What a reader gets, as with the theme's search: every word of a query is completed as a prefix ("pow"
// finds "powershell"); "+word" must be on the page, "-word" must not; words in quotes must all be there;
// results are grouped by page, matches marked in the title and the excerpt. Words are split at the
// separator of mkdocs.yml; no stemming (the theme's default has none either). Ranking: a page whose title
// or id has every word of the query, whole, comes first (an id pasted finds its page first, a technique id
// its technique page); then a word in the title counts most, then the page's lookup words (ids,
// techniques, macros, search values), then its excerpt; rarer words count more, a completed word less than
// a whole one, and a listing (boost below 1) ranks below the pages it lists.
(function () {
  "use strict";

  const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3; // the theme's message types
  const TEXT = 0, TERMS = 1, ID = 2, TITLE = 3; // fields (search.py), in the order of their weight
  const FIELD_WEIGHT = [1, 2, 10, 10];
  const COMPLETION_WEIGHT = 0.5; // a word found as the completion of a query's word ("pow" -> "powershell")
  const FIRST = 1000; // added to the score of a page whose title or id has every word of the query,
  // and again where the query is the whole title (a story's name finds the story before detections named after it)
  const MARKED_PAGES = 100; // the first results have their matches marked; marking thousands took a third of a second
  const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"; // search.py's
  const TAG = /(<[^>]*>)/;
  const AROUND = /^([^\p{L}\p{N}_$]*)([\s\S]*?)([^\p{L}\p{N}_$]*)$/u; // a word's punctuation before and after it
  const EDGES = /^[^\p{L}\p{N}_$]+|[^\p{L}\p{N}_$]+$/gu; // punctuation around a word ("memory." -> "memory")

  function isWordCharacter(code) { // ASCII letters, digits, "_" and "$" (EDGES decides the others)
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || code === 36
      || (code >= 65 && code <= 90);
  }

  /** A word without the punctuation around it; most words have none and are returned as they are. */
  function trimmed(piece) {
    return isWordCharacter(piece.charCodeAt(0)) && isWordCharacter(piece.charCodeAt(piece.length - 1))
      ? piece : piece.replace(EDGES, "");
  }

  /** The first index of `sorted` whose word is not before `word`. */
  function lowerBound(sorted, word) {
    let low = 0, high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle] < word) low = middle + 1; else high = middle;
    }
    return low;
  }

  /** search.py's postings of a word: [entry number * 4 + field, ...]. */
  function decoded(postings) {
    const values = [];
    let value = 0, entry = 0;
    for (let i = 0; i < postings.length; i += 1) {
      const digit = DIGITS.indexOf(postings[i]);
      value = value * 32 + (digit & 31);
      if (digit < 32) {
        entry += value >>> 2;
        values.push(entry * 4 + (value & 3));
        value = 0;
      }
    }
    return values;
  }

  class PageIndex {
    constructor({ config, docs, options }) {
      const index = config.words || { words: "", postings: "", stop_words: [] };
      this.separator = new RegExp(config.separator);
      // Shown text is HTML: its character references are not words.
      this.tokenSeparator = new RegExp(`(&[#\\w]+;|${config.separator})`);
      this.stopWords = new Set(index.stop_words);
      this.suggest = Boolean(options && options.suggest);
      this.words = index.words ? index.words.split(" ") : [];
      this.postings = index.postings ? index.postings.split(" ") : [];
      this.decoded = new Map(); // word number -> its postings, decoded when first asked for
      this.docs = [];
      const pages = new Map(); // page (location without its anchor) -> its first entry, the page itself
      for (const doc of docs) {
        const number = this.docs.length;
        const shown = { location: doc.location, title: doc.title, text: doc.text || "" };
        if (doc.tags) shown.tags = doc.tags;
        const page = doc.location.split("#")[0];
        const parent = pages.get(page);
        if (parent === undefined) pages.set(page, number);
        this.docs.push({ shown, parent, boost: typeof doc.boost === "number" ? doc.boost : 1,
                         id: doc.id ? this.split(doc.id) : null, titleWords: -1 });
      }
    }

    /** Words as search.py indexes them: lower case, split at the separator, punctuation around each taken
     * off, stop words left out. */
    split(text) {
      const found = [];
      for (const piece of text.toLowerCase().split(this.separator)) {
        const word = piece && trimmed(piece);
        if (word && !this.stopWords.has(word)) found.push(word);
      }
      return found;
    }

    /** How many different words the entry's title has. */
    titleWords(entry) {
      const doc = this.docs[entry];
      if (doc.titleWords < 0) doc.titleWords = new Set(this.split(doc.shown.title.replace(/<[^>]*>/g, " "))).size;
      return doc.titleWords;
    }

    /** The query's clauses, read as the theme reads a query: [{term, required, prohibited, completed}]. */
    clauses(query) {
      const quoted = query.trim().split(/"([^"]+)"/g)
        .map((part, i) => i % 2 ? part.trim().split(/\s+/).map((word) => `+${word}`).join(" ") : part)
        .join(" ");
      const found = [];
      for (let word of quoted.split(/\s+/)) {
        const required = word.startsWith("+"), prohibited = !required && word.startsWith("-");
        word = word.replace(/^[+-]+/, "").replace(/^(title|text|tags):/, "").replace(/[~^]\d*$/, "");
        // The theme completes every word the reader leaves optional; one marked required or prohibited
        // is completed only where it ends with "*" (search.js marks the parts of an id that way).
        const completed = word.endsWith("*") || (!required && !prohibited);
        for (const term of this.split(word.replace(/\*/g, " "))) {
          if (!found.some((clause) => clause.term === term)) found.push({ term, required, prohibited, completed });
        }
      }
      return found;
    }

    /** Calls `visit(entry, field, whole)` for each entry a clause finds, by a word or by its id. */
    find(clause, visit) {
      const first = lowerBound(this.words, clause.term);
      for (let i = first; i < this.words.length; i += 1) {
        const word = this.words[i];
        const whole = word === clause.term;
        if (!whole && (!clause.completed || !word.startsWith(clause.term))) break;
        if (!this.decoded.has(i)) this.decoded.set(i, decoded(this.postings[i]));
        const postings = this.decoded.get(i);
        const rarity = Math.log(1 + this.docs.length / postings.length);
        for (const posting of postings) visit(posting >>> 2, posting & 3, whole, rarity);
        if (whole && !clause.completed) break;
      }
      const rarity = Math.log(1 + this.docs.length);
      this.docs.forEach((doc, entry) => {
        if (doc.id === null) return;
        for (const part of doc.id) {
          if (part === clause.term || (clause.completed && part.startsWith(clause.term))) {
            visit(entry, ID, part === clause.term, rarity);
            return;
          }
        }
      });
    }

    search(query) {
      const wanted = this.clauses(query);
      const scored = wanted.filter((clause) => !clause.prohibited);
      if (scored.length === 0) return { items: [] };
      const count = this.docs.length;
      const score = new Float64Array(count), found = new Uint16Array(count), whole = new Uint16Array(count);
      const best = new Float64Array(count), exact = new Uint8Array(count), excluded = new Uint8Array(count);
      const matchedBy = scored.map(() => new Uint8Array(count));
      for (const clause of wanted.filter((c) => c.prohibited)) this.find(clause, (entry) => { excluded[entry] = 1; });
      scored.forEach((clause, index) => {
        const touched = [];
        this.find(clause, (entry, field, isWhole, rarity) => {
          const value = rarity * FIELD_WEIGHT[field] * (isWhole ? 1 : COMPLETION_WEIGHT);
          if (best[entry] === 0) touched.push(entry);
          if (value > best[entry]) best[entry] = value;
          if (isWhole && field >= ID) exact[entry] = 1;
        });
        for (const entry of touched) {
          score[entry] += best[entry];
          found[entry] += 1;
          whole[entry] += exact[entry];
          matchedBy[index][entry] = 1;
          best[entry] = 0;
          exact[entry] = 0;
        }
      });
      const required = [];
      scored.forEach((clause, index) => { if (clause.required) required.push(matchedBy[index]); });
      const hits = [];
      for (let entry = 0; entry < count; entry += 1) {
        if (found[entry] === 0 || excluded[entry] || required.some((matched) => !matched[entry])) continue;
        const share = found[entry] / scored.length; // pages with more of the query's words first
        const first = whole[entry] === scored.length ? FIRST * (1 + (this.titleWords(entry) === scored.length)) : 0;
        hits.push({ entry, score: first + score[entry] * share * share * this.docs[entry].boost });
      }
      hits.sort((a, b) => b.score - a.score || a.entry - b.entry);
      return this.results(hits, scored, matchedBy);
    }

    /** The theme's result: pages in the order of their best entry, each [entries...], matches marked. */
    results(hits, scored, matchedBy) {
      const groups = new Map();
      for (const { entry, score } of hits) {
        const page = this.docs[entry].parent === undefined ? entry : this.docs[entry].parent;
        if (!groups.has(page)) groups.set(page, []);
        groups.get(page).push(this.item(entry, score, scored, matchedBy, groups.size <= MARKED_PAGES));
      }
      let rank = 0;
      for (const [page, items] of groups) { // the theme shows a page's sections under the page
        rank += 1;
        if (!items.some((item) => item.location === this.docs[page].shown.location)) {
          items.push(this.item(page, 0, scored, null, rank <= MARKED_PAGES));
        }
      }
      const result = { items: [...groups.values()] };
      if (this.suggest) result.suggest = this.suggestion(hits, scored);
      return result;
    }

    item(entry, score, scored, matchedBy, marked) {
      const { shown } = this.docs[entry];
      const terms = {}; // the theme lists the words a result lacks, and highlights the others on the page
      scored.forEach((clause, index) => { terms[clause.term] = Boolean(matchedBy && matchedBy[index][entry]); });
      const item = marked
        ? { location: shown.location, title: this.mark(shown.title, scored, true),
            text: this.mark(shown.text, scored, false), score, terms }
        : { location: shown.location, title: shown.title, text: shown.text, score, terms };
      if (shown.tags) item.tags = shown.tags;
      return item;
    }

    /** The HTML `html` with the words the clauses find marked; a text of several blocks (a hand-written
     * page's section) keeps its first two blocks that have a match, as the theme shows them. */
    mark(html, scored, whole) {
      const marked = [];
      let any = false;
      for (const piece of html.split(TAG)) {
        if (piece.startsWith("<")) { marked.push(piece); continue; }
        const tokens = piece.split(this.tokenSeparator);
        for (let i = 0; i < tokens.length; i += 2) {
          const word = tokens[i] && trimmed(tokens[i].toLowerCase());
          if (word && scored.some((c) => c.completed ? word.startsWith(c.term) : word === c.term)) {
            const [, before, found, after] = tokens[i].match(AROUND); // "memory." marks "memory"
            tokens[i] = `${before}<mark>${found}</mark>${after}`;
            any = true;
          }
        }
        marked.push(tokens.join(""));
      }
      const text = marked.join("");
      if (whole || !any) return text;
      const blocks = text.match(/<(p|ul|ol|pre|table|blockquote|div|dl|h[1-6])\b[^>]*>[\s\S]*?<\/\1>/g);
      if (!blocks || blocks.length < 2 || blocks.join("").length < text.length * 0.9) return text;
      const withMatch = blocks.filter((block) => block.includes("<mark>"));
      return withMatch.length ? withMatch.slice(0, 2).join("") : text;
    }

    /** The completion of the query's last word in the best result's title (the theme shows it greyed). */
    suggestion(hits, scored) {
      const last = scored[scored.length - 1];
      if (!hits.length || !last.completed) return [];
      const title = this.split(this.docs[hits[0].entry].shown.title.replace(/<[^>]*>/g, " "));
      const completion = title.find((word) => word.startsWith(last.term));
      return completion ? [completion] : [];
    }
  }

  let index = null;
  let pending = null; // the latest query not answered yet: a query typed over before its turn is dropped
  self.addEventListener("message", (event) => {
    const { type, data } = event.data;
    if (type === SETUP) {
      index = new PageIndex(data);
      self.postMessage({ type: READY });
    } else if (type === QUERY) {
      const waiting = pending !== null;
      pending = data;
      if (waiting) return;
      setTimeout(() => {
        const query = pending;
        pending = null;
        let result = { items: [] };
        try {
          if (index) result = index.search(query);
        } catch (error) {
          console.warn(`search: the query ${JSON.stringify(query)} failed`, error);
        }
        self.postMessage({ type: RESULT, data: result });
      }, 0);
    }
  });
})();
