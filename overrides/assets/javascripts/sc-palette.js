// The colour scheme the reader chose on an earlier page, else the one the system prefers where mkdocs.yml's
// palette says which (`media`), applied while the page loads (before it is shown): the header runs this file
// where the theme ran the same steps inline (partials/javascripts/palette.html).
(function () {
  "use strict";
  var palette = __md_get("__palette");
  if (!palette || !palette.color) {  // none chosen yet: the scheme the system prefers, where the site sets one
    var options = document.querySelectorAll("[data-md-color-media]");
    for (var index = 0; index < options.length; index++) {
      var media = options[index].getAttribute("data-md-color-media");
      if (media && media !== "(prefers-color-scheme)" && matchMedia(media).matches) {
        ["media", "scheme", "primary", "accent"].forEach(function (key) {
          document.body.setAttribute("data-md-color-" + key, options[index].getAttribute("data-md-color-" + key));
        });
        break;
      }
    }
    return;
  }
  if (palette.color.media === "(prefers-color-scheme)") {  // "follow the system": the option of the system's scheme
    var light = matchMedia("(prefers-color-scheme: light)").matches;
    var option = document.querySelector(light ? "[data-md-color-media='(prefers-color-scheme: light)']"
                                              : "[data-md-color-media='(prefers-color-scheme: dark)']");
    ["media", "scheme", "primary", "accent"].forEach(function (key) {
      palette.color[key] = option.getAttribute("data-md-color-" + key);
    });
  }
  Object.keys(palette.color).forEach(function (key) {
    document.body.setAttribute("data-md-color-" + key, palette.color[key]);
  });
})();
