// Names for what the book's dependencies leave unnamed.
//
// Folds named for what they open. sphinx-togglebutton gives every fold it makes (the solutions
// of the exercises) a button named "Toggle hidden content", whatever it hides, beside a hint
// that says "Show": a screen reader hears a name that matches neither the hint nor the fold.
// Each button is named here as its hint plus what it opens, "Show the solution to exercise
// 10.2", and renamed when its hint changes. The book's own folds are <details> elements
// named by their <summary>.
//
// The primary sidebar (the book's title, search and table of contents) is a landmark, so that
// nothing on the page lies outside one: the theme marks only the table of contents inside it.
//
// The index of proofs (sphinx-proof's prf-prf page) sets its entries out in a table with no
// header, a layout table: it is marked as one, so a screen reader does not announce a grid.
//
// A figure drawn as inline SVG (the measured timings, whose SVG keeps every mark inside the
// figure) is an image named by its caption, as an <img> is by its alt text.
(function () {
  "use strict";

  function subject(fold) {
    const title = fold.querySelector(":scope > .admonition-title");
    const text = title ? title.textContent.replace(/\s+/g, " ").trim() : "";
    const exercise = text.match(/^Solution to\s*Exercise\s+([\d.]+)/i);
    if (exercise) return `the solution to exercise ${exercise[1]}`;
    return text ? `“${text}”` : "the hidden content";
  }

  function name(button) {
    const fold = document.getElementById(button.dataset.target);
    if (!fold) return;
    const hint = button.dataset.toggleHint || "Show";
    button.setAttribute("aria-label", `${hint} ${subject(fold)}`);
  }

  function nameFigures() {
    document.querySelectorAll("figure").forEach((figure, index) => {
      const svg = figure.querySelector(":scope svg:not([role])");
      const caption = figure.querySelector(":scope > figcaption");
      if (!svg || !caption) return;
      caption.id = caption.id || `${figure.id || "figure-" + index}-caption`;
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-labelledby", caption.id);
    });
  }

  function start() {
    const sidebar = document.querySelector(".bd-sidebar-primary:not([role])");
    if (sidebar) {
      sidebar.setAttribute("role", "complementary");
      sidebar.setAttribute("aria-label", "The book");
    }
    document.querySelectorAll("table.modindextable:not([role])").forEach((table) => {
      table.setAttribute("role", "presentation");
    });
    nameFigures();
    document.querySelectorAll("button.toggle-button").forEach((button) => {
      name(button);
      new MutationObserver(() => name(button)).observe(button, {
        attributes: true,
        attributeFilter: ["data-toggle-hint"],
      });
    });
  }

  // After sphinx-togglebutton, which adds its buttons when the document has loaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
