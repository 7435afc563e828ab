{#- A static template (the plugin names it): the search dialog's markup, the same for every page. -#}
{%- import "partials/language.html" as lang with context -%}
{%- set features = config.theme.features or [] -%}
{%- set dialog -%}{% include "partials/sc-search-dialog.html" %}{%- endset -%}
// The theme's search dialog, shared by every page (overrides/partials/search.html): put in the page right after
// this script, while the page loads, so the theme's script finds it as if the page had it.
document.currentScript.insertAdjacentHTML("afterend", {{ dialog | trim | tojson }});
