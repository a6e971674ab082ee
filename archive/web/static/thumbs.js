// Results without a poster (audio, still processing, rejected) show the placeholder box.
(function () {
  "use strict";
  document.querySelectorAll("img.poster-thumb").forEach(function (img) {
    function missing() { img.classList.add("missing"); }
    if (img.complete && img.naturalWidth === 0) { missing(); }
    img.addEventListener("error", missing);
  });
}());
