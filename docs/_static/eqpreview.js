// Equation previews: hovering over (or focusing) a reference to a numbered equation shows the
// equation in a small popup, so the reader need not leave the paragraph. Equations on the same
// page are cloned as typeset; those on another page of the book are fetched from it (same
// origin, so this works when the book is served, and quietly does nothing from file://).
(function () {
  "use strict";

  const pages = new Map();
  let popup = null;

  function equationUrl(link) {
    const url = new URL(link.getAttribute("href"), window.location.href);
    return url.hash.startsWith("#equation-") ? url : null;
  }

  function fetchPage(url) {
    const key = url.pathname;
    if (!pages.has(key)) {
      pages.set(
        key,
        fetch(key)
          .then((response) => (response.ok ? response.text() : ""))
          .then((text) => new DOMParser().parseFromString(text, "text/html"))
          .catch(() => null),
      );
    }
    return pages.get(key);
  }

  async function findEquation(url) {
    const id = decodeURIComponent(url.hash.slice(1));
    if (url.pathname === window.location.pathname) {
      return { node: document.getElementById(id), typeset: true };
    }
    const doc = await fetchPage(url);
    return { node: doc ? doc.getElementById(id) : null, typeset: false };
  }

  function hide() {
    if (popup) {
      popup.remove();
      popup = null;
    }
  }

  async function show(event) {
    const link = event.currentTarget;
    const url = equationUrl(link);
    if (!url) return;
    const { node, typeset } = await findEquation(url);
    if (!node) return;
    hide();
    popup = document.createElement("div");
    popup.className = "xentropy-eq-preview";
    popup.setAttribute("role", "tooltip");
    const copy = node.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach((element) => element.removeAttribute("id"));
    copy.querySelectorAll("a.headerlink").forEach((element) => element.remove());
    popup.appendChild(copy);
    document.body.appendChild(popup);
    const box = link.getBoundingClientRect();
    popup.style.left = `${Math.max(8, window.scrollX + box.left)}px`;
    popup.style.top = `${window.scrollY + box.bottom + 6}px`;
    if (!typeset && window.MathJax && MathJax.typesetPromise) {
      await MathJax.typesetPromise([popup]);
    }
  }

  function attach() {
    document.querySelectorAll("a.reference[href*='#equation-']").forEach((link) => {
      link.addEventListener("mouseenter", show);
      link.addEventListener("focus", show);
      link.addEventListener("mouseleave", hide);
      link.addEventListener("blur", hide);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hide();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attach);
  } else {
    attach();
  }
})();
