// Equation previews: pointing at (or focusing) a reference to a numbered equation shows the
// equation in a small popup, so the reader need not leave the paragraph.
//
// - The popup is kept inside the window: below the link, or above it where there is more
//   room, moved left as far as it must be, and no taller than the room it has (a tall
//   derivation scrolls inside it).
// - It stays open while the pointer is on the link or on the popup, and closes on Escape.
// - The link is described by the popup (aria-describedby), so a screen reader reads the
//   equation after the link's own text.
// - On a touch screen the first tap on a link shows the preview and stays on the page; a
//   second tap on the same link follows it.
// - Equations on the same page are cloned as typeset. Those on another page are fetched from
//   it when the book is served over HTTP; from file:// a browser refuses that fetch (and logs
//   an error for it), so there the reference is simply a link, as without this script.
(function () {
  "use strict";

  const GAP = 6; // px between the link and the popup
  const MARGIN = 8; // px the popup keeps from the window's edges
  const LINGER = 300; // ms the popup waits for the pointer to reach it
  const pages = new Map();
  let popup = null;
  let owner = null; // the link the popup belongs to
  let closing = null;
  let touched = false; // the last pointer to go down was a finger

  function equationUrl(link) {
    const url = new URL(link.getAttribute("href"), window.location.href);
    return url.hash.startsWith("#equation-") ? url : null;
  }

  function samePage(url) {
    return url.pathname === window.location.pathname;
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
    if (samePage(url)) return { node: document.getElementById(id), typeset: true };
    if (window.location.protocol === "file:") return { node: null, typeset: false };
    const doc = await fetchPage(url);
    return { node: doc ? doc.getElementById(id) : null, typeset: false };
  }

  function hide() {
    clearTimeout(closing);
    if (popup) {
      popup.remove();
      popup = null;
    }
    if (owner) {
      owner.removeAttribute("aria-describedby");
      owner = null;
    }
  }

  function hideSoon() {
    clearTimeout(closing);
    closing = setTimeout(hide, LINGER);
  }

  function place(link) {
    const box = link.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    popup.style.maxWidth = `${width - 2 * MARGIN}px`;
    // Below the link, or above it where there is more room; never taller than that room.
    const below = height - MARGIN - (box.bottom + GAP);
    const above = box.top - GAP - MARGIN;
    popup.style.maxHeight = "";
    let size = popup.getBoundingClientRect();
    const under = size.height <= below || below >= above;
    popup.style.maxHeight = `${Math.max(under ? below : above, 0)}px`;
    size = popup.getBoundingClientRect();
    let left = Math.min(box.left, width - MARGIN - size.width);
    left = Math.max(MARGIN, left);
    const top = under ? box.bottom + GAP : box.top - GAP - size.height;
    popup.style.left = `${window.scrollX + left}px`;
    popup.style.top = `${window.scrollY + top}px`;
  }

  async function show(link) {
    clearTimeout(closing);
    if (owner === link && popup) return;
    const url = equationUrl(link);
    if (!url) return;
    const { node, typeset } = await findEquation(url);
    if (!node) return;
    hide();
    popup = document.createElement("div");
    popup.className = "xentropy-eq-preview";
    popup.id = "xentropy-eq-preview";
    popup.setAttribute("role", "tooltip");
    const copy = node.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach((element) => element.removeAttribute("id"));
    copy.querySelectorAll("a.headerlink, details").forEach((element) => element.remove());
    popup.appendChild(copy);
    popup.addEventListener("mouseenter", () => clearTimeout(closing));
    popup.addEventListener("mouseleave", hideSoon);
    document.body.appendChild(popup);
    owner = link;
    link.setAttribute("aria-describedby", popup.id);
    place(link);
    if (!typeset && window.MathJax && MathJax.typesetPromise) {
      await MathJax.typesetPromise([popup]);
      if (popup && owner === link) place(link);
    }
  }

  function attach() {
    document.querySelectorAll("a.reference[href*='#equation-']").forEach((link) => {
      // A tap also sends mouseenter and focus; the tap itself is handled on click.
      link.addEventListener("mouseenter", () => touched || show(link));
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", () => touched || show(link));
      link.addEventListener("blur", hideSoon);
      link.addEventListener("click", (event) => {
        if (!touched || owner === link) return; // a mouse, or the second tap: follow the link
        const url = equationUrl(link);
        if (!url || (!samePage(url) && window.location.protocol === "file:")) return;
        event.preventDefault();
        show(link);
      });
    });
    document.addEventListener(
      "pointerdown",
      (event) => {
        touched = event.pointerType === "touch";
        if (popup && !popup.contains(event.target) && !(owner && owner.contains(event.target))) {
          hide();
        }
      },
      true,
    );
    document.addEventListener("keydown", (event) => {
      touched = false;
      if (event.key === "Escape") hide();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attach);
  } else {
    attach();
  }
})();
