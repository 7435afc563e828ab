{#- A static template (the plugin names it): the theme's configuration for its scripts is the same on every
    page but for the site's address, which this file finds from its own. -#}
{%- import "partials/language.html" as lang with context -%}
{%- set features = config.theme.features or [] -%}
{%- set _ = namespace() -%}
{%- set _.annotate = config.extra.annotate -%}
{%- set _.tags = config.extra.tags -%}
{%- if config.extra.version -%}
  {%- set mike = config.plugins.mike -%}
  {%- if not mike or mike.config.version_selector -%}{%- set _.version = config.extra.version -%}{%- endif -%}
{%- endif -%}
// The theme's setup for its scripts, shared by every page (overrides/partials/javascripts/base.html): the site's
// address, the reader's settings kept in the browser, and the theme's configuration, which the theme's script
// reads from the element #__config.
(function () {
  "use strict";
  var root = new URL("../..", document.currentScript.src);  // this file is assets/javascripts/ of the site
  var scope = {{ (config.extra.scope or "") | tojson }};
  window.__md_scope = scope ? new URL(scope, location) : root;
  window.__md_hash = function (text) {
    return Array.from(text).reduce(function (hash, character) {
      return (hash << 5) - hash + character.charCodeAt(0);
    }, 0);
  };
  window.__md_get = function (key, storage, at) {
    return JSON.parse((storage || localStorage).getItem((at || __md_scope).pathname + "." + key));
  };
  window.__md_set = function (key, value, storage, at) {
    try {
      (storage || localStorage).setItem((at || __md_scope).pathname + "." + key, JSON.stringify(value));
    } catch (error) {
      // storage full or refused: the setting is not kept
    }
  };
  var config = {{ {
    "base": "",
    "features": features,
    "translations": {
      "clipboard.copy": lang.t("clipboard.copy"),
      "clipboard.copied": lang.t("clipboard.copied"),
      "search.result.placeholder": lang.t("search.result.placeholder"),
      "search.result.none": lang.t("search.result.none"),
      "search.result.one": lang.t("search.result.one"),
      "search.result.other": lang.t("search.result.other"),
      "search.result.more.one": lang.t("search.result.more.one"),
      "search.result.more.other": lang.t("search.result.more.other"),
      "search.result.term.missing": lang.t("search.result.term.missing"),
      "select.version": lang.t("select.version")
    },
    "search": sc_search_worker,
    "annotate": _.annotate or none,
    "tags": _.tags or none,
    "version": _.version or none
  } | tojson }};
  config.base = root.href;
  config.search = new URL(config.search, root).href;
  var element = document.createElement("script");
  element.id = "__config";
  element.type = "application/json";
  element.textContent = JSON.stringify(config);
  document.head.appendChild(element);
})();
