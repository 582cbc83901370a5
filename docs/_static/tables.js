// Tables that fit their column. A table wider than its column (a gradient check has five
// columns of 16-digit numbers) is stacked: each row becomes a block and each cell a line
// "header: value" (xentropy.css, .xentropy-stacked), the header taken from the table's own
// head. Measured again when the window changes size, so a table stacks only where it must.
(function () {
  "use strict";

  function label(table) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, index) => {
        if (heads[index]) cell.dataset.label = heads[index];
      });
    });
  }

  function fit() {
    document.querySelectorAll("article table").forEach((table) => {
      if (!table.querySelector("thead th")) return;
      table.classList.remove("xentropy-stacked");
      const room = table.parentElement.clientWidth;
      if (table.getBoundingClientRect().width > room + 0.5) {
        label(table);
        table.classList.add("xentropy-stacked");
      }
    });
  }

  function start() {
    const math = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (math || Promise.resolve()).then(fit);
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
