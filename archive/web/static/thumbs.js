// Result cards ask only for a picture that is ready (the server knows); should one still fail
// to load (removed meanwhile, a network error), the card shows its placeholder box instead.
(function () {
  "use strict";
  document.querySelectorAll("img.poster-thumb").forEach(function (img) {
    function missing() { img.classList.add("missing"); }
    if (img.complete && img.naturalWidth === 0) { missing(); }
    img.addEventListener("error", missing);
  });
}());
