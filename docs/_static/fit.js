// A formula in a row of a derivation that is still wider than its column once MathJax has
// broken it at its operators (a long bracket, \left( ... \right), has nowhere to break) is
// set smaller, down to 70 %, rather than cut or scrolled. Measured again when the window
// changes size. The rows and the rest of the layout are xentropy.css's.
(function () {
  "use strict";

  const SMALLEST = 0.7;

  function fit() {
    document.querySelectorAll(".xentropy-rows-grid > .xentropy-row > .math").forEach((cell) => {
      const math = cell.querySelector("mjx-container");
      if (!math) return;
      math.style.fontSize = "";
      const room = cell.clientWidth - parseFloat(getComputedStyle(cell).paddingLeft);
      const needed = math.getBoundingClientRect().width;
      if (needed > room + 0.5) {
        math.style.fontSize = `${Math.max(SMALLEST, Math.floor((room / needed) * 100) / 100) * 100}%`;
      }
    });
  }

  function start() {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
    MathJax.startup.promise.then(fit);
    let pending = null;
    window.addEventListener("resize", () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(fit);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
