// Ids are found however they are entered: typed, pasted, in upper or lower case.
//
// 1. The theme runs a search when a key goes up in the search box. Text pasted
//    or dropped with the mouse raises no key event, so a pasted id found
//    nothing: each change of the box's text is passed on as that key event.
// 2. The index splits words at hyphens (a UUID is five words, CVE-2021-44228
//    three), but the query language reads a hyphen as "without": the query
//    "CVE-2021-44228" meant "cve, without 2021, without 44228". A word with
//    inner hyphens is sent to the search as its parts, each required and
//    completed as a prefix ("+cve* +2021* +44228*"), so it finds the pages that
//    have all of them. A hyphen that begins a word still means "without".

document.addEventListener("input", (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.classList.contains("md-search__input") && !event.isComposing) {
    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }
});

function withRequiredParts(query) {
  return query.split(/(\s+)/).map((word) => {
    if (!/\w-+\w/.test(word) || /^[+-]|["~^:]/.test(word)) {
      return word;
    }
    return word.split(/-+/).filter((part) => part !== "")
      .map((part) => `+${part.replace(/\*+$/, "")}*`).join(" ");
  }).join("").replace(/(\w)-+(?=\s|$)/g, "$1");
}

const SEARCH_QUERY = 2; // the theme's message type for a query to its search worker
const postToWorker = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...rest) {
  if (message && message.type === SEARCH_QUERY && typeof message.data === "string") {
    message = { ...message, data: withRequiredParts(message.data) };
  }
  return postToWorker.call(this, message, ...rest);
};
