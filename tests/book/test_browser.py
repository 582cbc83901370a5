"""The built book in a real browser: every page loads cleanly and its math is typeset.

The book built for the tests is served on 127.0.0.1 (a free port) and every page is opened in
Debian's headless Chromium (``/usr/bin/chromium``), driven by Playwright; never
a browser that Playwright downloads. A request to any other host is blocked
and counted as a problem. On each page there must be no console error, no
uncaught exception, no failed request, and every math element typeset by
MathJax: an ``mjx-container`` in each, no MathJax error, and no raw TeX
(``\\(``, ``\\[``, ``$$``, ``\\begin{``) left in the page's text outside code.
Screenshots of the book's pages are saved under ``_build/screenshots/``.

Every page is opened once at each of two sizes, a laptop (1280 x 900, both sidebars) and a
phone (390 x 844, touch), and on that one load the tests below check that it fits and reads:
no display equation cut or scrolled sideways or covered by its number, no in-line formula that
may break where TeX would not (right after an opening bracket, at a space), no number parted
from its unit ε at a line's end, no table wider than its column, no formula in the Tab order
(each still has its MathML for screen readers), every fold named for what it opens, no
violation axe-core finds (WCAG 2.0, 2.1 A and AA, its best practices and its experimental
rules), and still no console error once its equation previews and folds have been used. The
equation preview, printing and ``file://`` have tests of their own.

The same checking functions are shown to catch each kind of problem on throwaway pages, and the
fit check to fail on the book itself with the book's stylesheet taken away. The browser and the
local server are those of ``tests/book/conftest.py``.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
# How long a page may take to load, and MathJax to typeset it: a bound on waiting, not
# a measurement; a page that needs it is broken, and the failure says why.
PATIENCE_MS = 60_000

pytestmark = pytest.mark.book


# --- The browser, as a laptop and as a phone ---------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium) -> object:
    """Debian's headless Chromium with a fresh profile, as on a laptop: 1280 x 900, a mouse."""
    return chromium(viewport={"width": 1280, "height": 900})


@pytest.fixture(scope="module")
def phone(chromium) -> object:
    """The same Chromium as a phone: 390 x 844 CSS pixels, a touch screen, mobile layout."""
    return chromium(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)


# --- The check of one page ---------------------------------------------------------------

# Runs in the page once it has loaded: waits for MathJax when the page has math,
# then reports what was not typeset and any TeX left in the text outside code.
INSPECT_MATH = r"""
async (PATIENCE_MS) => {
  const math = [...document.querySelectorAll(".math")];
  const result = {math: math.length, mathjax: null, waited: false};
  Object.assign(result, {untypeset: [], errors: [], rawTex: []});
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    // A bound on waiting, not a measurement: MathJax that never finishes is reported.
    const patience = new Promise((resolve) => setTimeout(() => resolve("waited"), PATIENCE_MS));
    if (await Promise.race([MathJax.startup.promise, patience]) === "waited") {
      result.waited = true;
      return result;
    }
    result.mathjax = MathJax.version;
  }
  for (const element of math) {
    if (!element.querySelector("mjx-container")) {
      result.untypeset.push(element.textContent.trim().slice(0, 80));
    }
  }
  if (result.mathjax) {
    // MathJax typesets a TeX error as <merror>, and an undefined macro as its
    // name in red (the noundefined extension; MathJax 4 writes its data-latex after the colour):
    // neither fails by itself.
    for (const item of MathJax.startup.document.math) {
      const mml = MathJax.startup.toMML(item.root);
      const error = mml.match(/<merror data-mjx-error="([^"]*)"/);
      const undefinedMacro = mml.match(/<mtext mathcolor="red"[^>]*>(\\[^<]*)</);
      if (error) result.errors.push(`${error[1]} in ${item.math.slice(0, 80)}`);
      if (undefinedMacro) {
        result.errors.push(`undefined macro ${undefinedMacro[1]} in ${item.math.slice(0, 80)}`);
      }
    }
  }
  const skip = new Set(["SCRIPT", "STYLE", "PRE", "CODE", "TEXTAREA", "MJX-CONTAINER"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let inside = false;
    for (let parent = node.parentElement; parent; parent = parent.parentElement) {
      if (skip.has(parent.tagName)) { inside = true; break; }
    }
    const text = node.textContent;
    if (!inside && /\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{/.test(text)) {
      result.rawTex.push(text.trim().slice(0, 80));
    }
  }
  return result;
}
"""


# Runs in the page once MathJax is done: what does not fit its column. An element fits when
# it stays inside the article's content box and inside every ancestor that clips or scrolls,
# and nothing around it scrolls sideways.
MEASURE_LAYOUT = r"""
() => {
  const article = document.querySelector("article.bd-article") || document.body;
  function room(element) {
    const box = article.getBoundingClientRect();
    const style = getComputedStyle(article);
    let left = box.left + parseFloat(style.paddingLeft);
    let right = box.right - parseFloat(style.paddingRight);
    for (let p = element.parentElement; p && p !== article; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") {
        const r = p.getBoundingClientRect();
        left = Math.max(left, r.left);
        right = Math.min(right, r.right);
      }
    }
    return {left, right};
  }
  function outside(element) {
    const r = element.getBoundingClientRect();
    const {left, right} = room(element);
    return r.right > right + 1 || r.left < left - 1;
  }
  function name(element) {
    const id = (element.closest("[id]") || {}).id || "";
    const text = Array.from((element.textContent || "").replace(/\s+/g, " ").trim());
    return `${id}: ${text.slice(0, 40).join("")}`;
  }
  const cut = [], covered = [], tables = [];
  for (const display of article.querySelectorAll("div.math")) {
    if (!display.offsetParent) continue;  // inside a closed fold
    const parts = [...display.querySelectorAll("mjx-container, .xentropy-reason")];
    const scrolls = [display, ...parts].some((e) => e.scrollWidth > e.clientWidth + 1);
    if (scrolls || parts.some(outside)) cut.push(name(display));
    const number = display.querySelector(".eqno");
    if (number) {
      const n = number.getBoundingClientRect();
      for (const math of display.querySelectorAll("mjx-container")) {
        const m = math.getBoundingClientRect();
        if (n.left < m.right - 1 && n.right > m.left + 1 && n.top < m.bottom - 1 &&
            n.bottom > m.top + 1) {
          covered.push(name(display));
          break;
        }
      }
    }
  }
  for (const table of article.querySelectorAll("table")) {
    if (table.offsetParent && outside(table)) tables.push(name(table));
  }
  // The plots' smallest text is Matplotlib's 10 pt (8.3 pt in a legend marked small):
  // 13.9 px in a PNG drawn at 100 dpi, 1 px per pt in an SVG. Rendered below 9 px, it is
  // too small to read.
  const smallText = [];
  for (const plot of article.querySelectorAll("figure img, figure svg, .xentropy-panel svg")) {
    if (!plot.offsetParent && plot.tagName !== "svg") continue;
    const r = plot.getBoundingClientRect();
    if (!r.width) continue;
    const natural = plot.tagName === "IMG" ? plot.naturalWidth : plot.viewBox.baseVal.width;
    const smallest = plot.tagName === "IMG" ? 10 * 100 / 72 : 8.3;
    const px = smallest * r.width / natural;
    if (px < 9) smallText.push(`${name(plot)}: ${px.toFixed(1)} px`);
  }
  // The page itself never scrolls sideways: name what sticks out of the window.
  const sideways = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    for (const element of article.querySelectorAll("*")) {
      const r = element.getBoundingClientRect();
      if (r.right > width + 1 && !element.closest("pre, .highlight, table, mjx-container")) {
        sideways.push(name(element));
        if (sideways.length === 3) break;
      }
    }
    if (!sideways.length) sideways.push("the page is wider than the window");
  }
  // In-line math may break only where TeX would break it, at an operator or a relation: not
  // right after an opening bracket (MathJax offers one before a sign there, σ( ⏎ −z)), nor at
  // a space in the formula (2 ⏎ ε). Braces keep a part whole: \sigma({-z}), {2\,\varepsilon}.
  const badBreaks = [];
  const OPENING = new Set(["(", "[", "\\{", "\\lbrace", "\\langle"]);
  const SPACE = /^\\[,:;>!]$|^\\(thin|med|thick)space$/;
  for (const mark of article.querySelectorAll('mjx-container:not([display="true"]) mjx-break')) {
    const before = mark.previousElementSibling, after = mark.nextElementSibling;
    const tex = (e) => (e && e.getAttribute("data-latex")) || "";
    const why = OPENING.has(tex(before)) ? `after "${tex(before)}"` :
      SPACE.test(tex(before)) || SPACE.test(tex(after)) ? "at a space" : "";
    if (why) badBreaks.push(`${tex(mark.closest("mjx-math"))}: a line break ${why}`);
  }
  // A number and its unit, ε (or ε S_j), stay on one line: "0.80" at the end of one, "ε" at the
  // start of the next, reads as two things. A no-break space (&nbsp;) joins them.
  for (const unit of article.querySelectorAll('mjx-container:not([display="true"])')) {
    const tex = ((unit.querySelector("mjx-math") || unit).getAttribute("data-latex") || "");
    if (!/^\{?\\varepsilon/.test(tex)) continue;
    const holder = unit.closest(".math") || unit;
    const gap = holder.previousSibling;
    const number = gap && gap.previousSibling;
    const before = gap && gap.nodeType === Node.TEXT_NODE ? gap.textContent : "";
    const text = before.trim() ? before : (number && number.textContent) || "";
    // An ordinary space or a line's end in the source, either lets the line break; U+00A0 not.
    if (/\d[ \n]?$/.test(text) && /[ \n]$/.test(before)) {
      badBreaks.push(`${text.trim()} ${tex}: a line break between a number and its unit`);
    }
  }
  const math = [...document.querySelectorAll("mjx-container")];
  return {
    cut, covered, tables, smallText, sideways, badBreaks,
    formulas: math.length,
    tabStops: math.filter((m) => m.tabIndex >= 0).length,
    mathml: math.filter((m) => m.querySelector("mjx-assistive-mml math")).length,
  };
}
"""

# The accessible name of every fold's control, as the browser computes it for its summary or
# button (Playwright's accessibility snapshot would need the whole tree; this is the part the
# tests need: aria-label, else the visible text).
FOLD_NAMES = r"""
() => [...document.querySelectorAll("article details > summary, article button.toggle-button")]
  .map((control) => {
    const label = control.getAttribute("aria-label");
    if (label) return label;
    const hidden = [...control.querySelectorAll("*")].filter(
      (e) => getComputedStyle(e).display === "none");
    let text = "";
    const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!hidden.some((h) => h.contains(node))) text += node.textContent;
    }
    return text.replace(/\s+/g, " ").trim();
  })
"""

# axe-core's rules for WCAG 2.0 and 2.1, A and AA, and its best practices but one (below); its
# experimental rules too (label-content-name-mismatch catches a fold named "Toggle hidden
# content").
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice", "experimental"],
    },
    # A column headed by a formula alone ($K$, $x_{i1}$) has no "visible text" for axe: MathJax
    # draws the glyphs with CSS, and a screen reader reads the header's MathML. A rule of
    # axe's best practices, not of WCAG; left out so that the book's tables keep their heads.
    "rules": {"empty-table-header": {"enabled": False}},
    "resultTypes": ["violations"],
    # axe would fetch every stylesheet again to read it, and resolves the theme's
    # @import "../basic.css" against the page instead of the stylesheet: a 404 of axe's own.
    # Only its screen-orientation rule reads stylesheets.
    "preload": False,
}
# The glyphs MathJax draws are hidden from assistive technology (aria-hidden); what a screen
# reader reads of a formula is its MathML, which axe does check. Leaving the thousands of glyph
# elements out keeps axe to seconds a page.
AXE_CONTEXT = {"exclude": [["mjx-container > mjx-math"]]}


def axe_violations(page) -> list[str]:
    """axe-core's violations on ``page``, one line each: rule, impact, where."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, context=AXE_CONTEXT, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['html'][:120]}"
        for v in result.response["violations"]
        for node in v["nodes"]
    ]


def watch(page, url: str, problems: list[str]) -> None:
    """Count as problems: console errors, exceptions, failed requests, other hosts.

    Chromium resolves no name but 127.0.0.1 (``CHROMIUM_FLAGS``), so a request to another host
    fails; each is counted as it is sent. (Intercepting every request instead, with
    ``page.route``, would also turn off the browser's cache and cost a second a page.)
    """
    origin = urlsplit(url)[:2]

    def request(request) -> None:
        address = request.url
        if urlsplit(address)[:2] != origin and not address.startswith(("data:", "file:")):
            problems.append(f"blocked request to another host: {address}")

    def response(response) -> None:
        if response.status >= 400:
            problems.append(f"failed request: {response.url} (HTTP {response.status})")

    def failed(request) -> None:
        if not any(request.url in p for p in problems):
            problems.append(f"failed request: {request.url} ({request.failure})")

    page.on("request", request)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.on("response", response)
    page.on("requestfailed", failed)


def typeset(page, problems: list[str]) -> None:
    """Wait for MathJax and add what it did not typeset, or typeset wrongly, to ``problems``."""
    math = page.evaluate(INSPECT_MATH, PATIENCE_MS)
    if math["waited"]:
        problems.append(f"MathJax did not finish typesetting in {PATIENCE_MS / 1000:.0f} s")
    elif math["math"] and math["mathjax"] is None:
        problems.append(f"{math['math']} math elements but MathJax did not start")
    problems += [f"math not typeset: {text!r}" for text in math["untypeset"]]
    problems += [f"MathJax error: {text}" for text in math["errors"]]
    problems += [f"raw TeX in the text: {text!r}" for text in math["rawTex"]]
    # The scripts that fit formulas and tables run once MathJax is done; let them.
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve()))")


def page_problems(context, url: str) -> list[str]:
    """Open ``url`` in a new tab and return every problem found; ``[]`` for a clean page."""
    problems: list[str] = []
    page = context.new_page()
    watch(page, url, problems)
    try:
        page.goto(url, wait_until="load", timeout=PATIENCE_MS)
        typeset(page, problems)
    finally:
        page.close()
    return problems


def screenshot(page, path: Path) -> None:
    """The whole page, for a person to look at: a JPEG (a fifth quicker to take than a PNG of
    a long page), with transitions finished so that it shows the page at rest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), type="jpeg", quality=80, full_page=True, animations="disabled")


# Where a reader's pointer would reach an element: scrolled into view if it is not, the middle
# of its first box (a link may break across lines), and what covers it there, if anything.
# null for an element that is not shown (inside a closed fold). Playwright's own hover and click
# find the same point, but ask the page a dozen times, each costing a layout of the whole page
# (a tenth of a second on the book's longest).
AIM = r"""
(element) => {
  const boxes = () => [...element.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  if (!element.checkVisibility({visibilityProperty: true}) || !boxes().length) return null;
  let box = boxes()[0];
  if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
    element.scrollIntoView({block: "center", inline: "nearest"});
    box = boxes()[0];
  }
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (hit && element.contains(hit)) return {x, y, covered: null};
  const cover = hit ? hit.outerHTML.slice(0, 80) : "nothing";
  return {x, y, covered: `${element.outerHTML.slice(0, 80)} is covered by ${cover}`};
}
"""
FOLDS = "article details > summary, article button.toggle-button"
# How long an equation's preview may take to show: a bound on waiting (another page's
# equation is fetched and typeset first), not a measurement.
PREVIEW_PATIENCE_MS = 15_000
PREVIEW = ".xentropy-eq-preview mjx-container"  # the preview, once its equation is typeset


def aim(element, problems: list[str]) -> dict | None:
    """Where to point at ``element`` (see AIM); ``None`` if it is not shown, or covered (a
    problem)."""
    point = element.evaluate(AIM)
    if point and point["covered"]:
        problems.append(point["covered"])
        return None
    return point


def open_folds(page, problems: list[str]) -> None:
    """Click every fold of the page that is shown, in order, as a reader would with a mouse."""
    for control in page.query_selector_all(FOLDS):
        point = aim(control, problems)
        if point is not None:
            page.mouse.click(point["x"], point["y"])


def use_previews_and_folds(page, touch: bool, problems: list[str]) -> None:
    """Point at (or tap) a few equation references, each until its preview shows, then open
    every fold of the page."""
    from playwright.sync_api import TimeoutError

    shown = 0
    for link in page.query_selector_all("article a.reference[href*='#equation-']"):
        point = aim(link, problems)
        if point is None:
            continue  # inside a closed fold, or covered
        if touch:
            page.touchscreen.tap(point["x"], point["y"])
        else:
            page.mouse.move(point["x"], point["y"])
        try:
            page.wait_for_selector(PREVIEW, timeout=PREVIEW_PATIENCE_MS)
        except TimeoutError:
            href = link.get_attribute("href")
            problems.append(f"no preview of {href} in {PREVIEW_PATIENCE_MS / 1000:.0f} s")
        page.keyboard.press("Escape")
        shown += 1
        if shown == 3:
            break
    open_folds(page, problems)


def read_page(context, url: str, picture: Path | None, touch: bool) -> dict:
    """Everything the book's tests check of one page, from a single load of it."""
    problems: list[str] = []
    page = context.new_page()
    watch(page, url, problems)
    try:
        page.goto(url, wait_until="load", timeout=PATIENCE_MS)
        typeset(page, problems)
        report = page.evaluate(MEASURE_LAYOUT)
        report["folds"] = page.evaluate(FOLD_NAMES)
        report["axe"] = axe_violations(page)
        if picture is not None:
            screenshot(page, picture)
        use_previews_and_folds(page, touch, problems)
        report["problems"] = problems
    finally:
        page.close()
    return report


# --- The book ----------------------------------------------------------------------------


def book_pages(html: Path) -> list[str]:
    """Every page of the book: the HTML files outside Sphinx's ``_static`` and ``_sources``."""
    return sorted(
        str(p.relative_to(html))
        for p in html.rglob("*.html")
        if not p.relative_to(html).parts[0].startswith("_")
    )


SIZES = ("laptop", "phone")


@pytest.fixture(scope="module")
def book_report(browser, phone, serve, built_book: Path) -> dict[str, dict[str, dict]]:
    """Every page of the book read once at each size: ``report[size][page]``.

    Screenshots of the chapters go to ``_build/screenshots/`` (NAME.jpg on the laptop,
    NAME--phone.jpg on the phone).
    """
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # no picture of a page that is gone
    base = serve(built_book)
    sources = {
        p.relative_to(ROOT / "docs").with_suffix("").as_posix()
        for p in (ROOT / "docs").rglob("*.md")
    }
    pages = book_pages(built_book)
    assert {p.removesuffix(".html") for p in pages} >= sources
    report: dict[str, dict[str, dict]] = {}
    for size, context in zip(SIZES, (browser, phone), strict=True):
        report[size] = {}
        for page in pages:
            name = page.removesuffix(".html")
            suffix = "" if size == "laptop" else "--phone"
            shot = SCREENSHOTS / f"{name.replace('/', '--')}{suffix}.jpg"
            report[size][page] = read_page(
                context, base + page, shot if name in sources else None, touch=size == "phone"
            )
    return report


def found(book_report: dict, key: str) -> dict[str, list]:
    """``{"size page": [what was found]}`` for the pages where ``key`` found something."""
    return {
        f"{size} {page}": report[key]
        for size, pages in book_report.items()
        for page, report in pages.items()
        if report[key]
    }


def test_every_page_loads_cleanly_with_its_math_typeset_and_stays_clean_in_use(
    book_report: dict,
) -> None:
    # Console errors, failed requests and exceptions, before and after the previews and folds
    # were used.
    assert found(book_report, "problems") == {}
    names = {p.stem for p in SCREENSHOTS.glob("*.jpg")}
    sources = {p.stem for p in (ROOT / "docs").glob("*.md")}
    assert names >= sources | {f"{s}--phone" for s in sources}


def test_no_display_equation_is_cut_scrolled_or_covered_by_its_number(book_report: dict) -> None:
    assert found(book_report, "cut") == {}
    assert found(book_report, "covered") == {}


def test_formulas_and_numbers_break_only_where_a_typesetter_would(book_report: dict) -> None:
    assert found(book_report, "badBreaks") == {}


def test_no_table_is_wider_than_its_column(book_report: dict) -> None:
    assert found(book_report, "tables") == {}


def test_no_plot_text_is_smaller_than_9_px(book_report: dict) -> None:
    assert found(book_report, "smallText") == {}


def test_no_page_scrolls_sideways(book_report: dict) -> None:
    assert found(book_report, "sideways") == {}


def test_axe_core_finds_no_violation(book_report: dict) -> None:
    assert found(book_report, "axe") == {}


def test_formulas_are_no_tab_stops_and_each_has_its_mathml(book_report: dict) -> None:
    pages = book_report["laptop"]
    assert sum(r["formulas"] for r in pages.values()) > 500  # the book's formulas were there
    assert {p: r["tabStops"] for p, r in pages.items() if r["tabStops"]} == {}
    assert {
        p: (r["mathml"], r["formulas"]) for p, r in pages.items() if r["mathml"] != r["formulas"]
    } == {}


def test_every_fold_is_named_for_what_it_opens(book_report: dict) -> None:
    names = [name for r in book_report["laptop"].values() for name in r["folds"]]
    assert "Toggle hidden content" not in names
    assert all(names), names  # no fold without a name
    latex = [n for n in names if "LaTeX" in n]
    assert latex
    assert all(re.fullmatch(r"Show the LaTeX source of \(\d+\.\d+\)", n) for n in latex), latex
    solutions = [n for n in names if "solution" in n]
    assert solutions == [f"Show the solution to exercise 10.{k}" for k in range(1, 6)]
    assert "Cite this page" in names


# --- The check can fail ------------------------------------------------------------------

MATHJAX = Path(sys.prefix) / "share" / "xentropy" / "static" / "mathjax"  # make venv put it there


def book_mathjax_config() -> dict:
    """``mathjax4_config`` of conf.py, read without running conf.py (which sets variables)."""
    tree = ast.parse((ROOT / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and targets == ["mathjax4_config"]:
            return ast.literal_eval(node.value)
    raise AssertionError("conf.py sets no mathjax4_config")


# As Sphinx and MyST-NB write it, with the book's own MathJax configuration: a page's sections
# are not searched for TeX, only the elements of these classes are typeset.
MATHJAX_CONFIG = book_mathjax_config()
MATHJAX_CONFIG["options"] = {
    **MATHJAX_CONFIG["options"],
    "processHtmlClass": "tex2jax_process|mathjax_process|math|output_area",
}
MATHJAX_HEAD = (
    f"<script>window.MathJax = {json.dumps(MATHJAX_CONFIG)}</script>"
    '<script defer src="mathjax/tex-chtml.js"></script>'
)
THROWAWAY_PAGES = {
    "clean": (
        MATHJAX_HEAD,
        r'<p>The logistic function <span class="math notranslate nohighlight">\(\sigma(z)\)</span>'
        r' and <code>print("\(not math\)")</code>.</p>'
        r'<div class="math notranslate nohighlight">\[\frac{\partial C}{\partial w_j}'
        r" = \frac{1}{n}\sum_x x_j(\sigma(z) - y)\]</div>",
    ),
    "console-error": ("", '<script>console.error("planted console error")</script>'),
    "exception": ("", "<script>undefined_function_of_the_book()</script>"),
    "missing-image": ("", '<img src="missing.png" alt="a figure that was never built">'),
    "remote-script": ("", '<script src="https://cdn.example.org/mathjax.js"></script>'),
    "no-mathjax": ("", r'<p><span class="math">\(x_j\)</span> and $$\sigma(z)$$</p>'),
    "raw-environment": (MATHJAX_HEAD, r"<p>\begin{align} C &= 0 \end{align}</p>"),
    "undefined-macro": (
        MATHJAX_HEAD,
        r'<div class="math notranslate nohighlight">\[\frac{1}{n}\sum_x x_j(\sigmaa(z) - y)\]'
        "</div>",
    ),
    "tex-error": (MATHJAX_HEAD, r'<span class="math notranslate nohighlight">\(\left( x\)</span>'),
    "unbalanced-braces": (
        MATHJAX_HEAD,
        r'<div class="math notranslate nohighlight">\[\frac{1}{n \sum_x\]</div>',
    ),
    "undelimited-math": (MATHJAX_HEAD, '<span class="math">sigma(z)</span>'),
}
EXPECTED = {
    "console-error": "console error: planted console error",
    "exception": "uncaught exception: undefined_function_of_the_book is not defined",
    "missing-image": "missing.png (HTTP 404)",
    "remote-script": "blocked request to another host: https://cdn.example.org/mathjax.js",
    "no-mathjax": "MathJax did not start",
    "raw-environment": r"raw TeX in the text: '\\begin{align}",
    "undefined-macro": r"MathJax error: undefined macro \sigmaa in \frac{1}{n}",
    "tex-error": r"MathJax error: Extra \left or missing \right in \left( x",
    "unbalanced-braces": r"math not typeset: '\\[\\frac{1}{n \\sum_x\\]'",
    "undelimited-math": "math not typeset: 'sigma(z)'",
}


@pytest.fixture(scope="module")
def throwaway_site(tmp_path_factory: pytest.TempPathFactory, serve) -> str:
    site = tmp_path_factory.mktemp("site")
    (site / "mathjax").symlink_to(MATHJAX, target_is_directory=True)
    for name, (head, body) in THROWAWAY_PAGES.items():
        (site / f"{name}.html").write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title>"
            f"{head}</head><body><section class='tex2jax_ignore mathjax_ignore'>{body}"
            "</section></body></html>",
            encoding="utf-8",
        )
    return serve(site)


def test_a_clean_page_has_no_problems(browser, throwaway_site: str) -> None:
    assert page_problems(browser, throwaway_site + "clean.html") == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_check_catches(name: str, browser, throwaway_site: str) -> None:
    problems = page_problems(browser, throwaway_site + f"{name}.html")
    assert any(EXPECTED[name] in problem for problem in problems), problems


# Pages that break each rule the book's pages are held to, in a column as narrow as a phone's.
NARROW = '<article class="bd-article" style="width: 20rem">{}</article>'
# A matrix of 30 columns: no line can break inside it, at any width.
WIDE_MATRIX = r"\begin{pmatrix}" + " & ".join(f"x_{{{n}}}" for n in range(30)) + r"\end{pmatrix}"
BROKEN_PAGES = {
    "cut-equation": (MATHJAX_HEAD, NARROW.format(f'<div class="math">\\[{WIDE_MATRIX}\\]</div>')),
    "bad-breaks": (
        MATHJAX_HEAD,
        NARROW.format(
            r'<p>The residual <span class="math notranslate nohighlight">\(-\sigma(-z)\)</span>, '
            r'within <span class="math notranslate nohighlight">\(\le 2\,\varepsilon\)</span>;'
            r' kept whole: <span class="math notranslate nohighlight">\(-\sigma({-z}) \le '
            r"{2\,\varepsilon}\)</span>; off by <span>0.80</span> "
            r'<span class="math notranslate nohighlight">\(\varepsilon\)</span>, by '
            "<span>0.57</span>\n"
            r'<span class="math notranslate nohighlight">\(\varepsilon\)</span>, kept together: '
            r'0.80&nbsp;<span class="math notranslate nohighlight">\(\varepsilon\)</span>.</p>'
        ),
    ),
    "wide-table": (
        "",
        NARROW.format("<table><tr>" + "<td>0.1234567890123456</td>" * 6 + "</tr></table>"),
    ),
    "wide-text": (
        "",
        '<main><article class="bd-article"><p><span style="white-space: nowrap">'
        + "a glued sentence that never wraps " * 20
        + "</span></p></article></main>",
    ),
    "tiny-plot": (
        "",
        NARROW.format(
            '<figure><svg viewBox="0 0 720 288" style="width: 100%; height: auto">'
            '<rect width="720" height="288" fill="#eee"/></svg></figure>'
        ),
    ),
    "unnamed-fold": (
        "",
        '<main><article class="bd-article"><div class="admonition"><p class="admonition-title">'
        "Solution<button class='toggle-button' aria-label='Toggle hidden content'>Show</button>"
        "</p></div></article></main>",
    ),
    # A reference whose preview never shows, and a fold under a banner.
    "covered-and-silent": (
        "",
        '<main><article class="bd-article"><p>As <a class="reference internal" '
        'href="#equation-one">(1)</a> says.</p><div style="position: relative"><details>'
        "<summary>Show the proof</summary><p>Proof.</p></details>"
        '<div style="position: absolute; inset: 0">A banner</div></div></article></main>',
    ),
}


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory, serve) -> str:
    site = tmp_path_factory.mktemp("broken")
    (site / "mathjax").symlink_to(MATHJAX, target_is_directory=True)
    for name, (head, body) in BROKEN_PAGES.items():
        (site / f"{name}.html").write_text(
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{name}</title>"
            f"{head}</head><body>{body}</body></html>",
            encoding="utf-8",
        )
    return serve(site)


def test_the_fit_check_catches_a_page_that_scrolls_sideways(browser, broken_site) -> None:
    assert read_page(browser, broken_site + "wide-text.html", None, touch=False)["sideways"]


def test_the_fit_check_catches_a_plot_shrunk_until_its_text_is_unreadable(
    browser, broken_site
) -> None:
    assert read_page(browser, broken_site + "tiny-plot.html", None, touch=False)["smallText"]


def test_the_fit_check_catches_a_cut_equation_and_a_wide_table(browser, broken_site) -> None:
    assert read_page(browser, broken_site + "cut-equation.html", None, touch=False)["cut"]
    assert read_page(browser, broken_site + "wide-table.html", None, touch=False)["tables"]


def test_the_break_check_catches_breaks_a_typesetter_would_not_make(browser, broken_site) -> None:
    report = read_page(browser, broken_site + "bad-breaks.html", None, touch=False)
    assert report["badBreaks"] == [
        r'-\sigma(-z): a line break after "("',
        r"\le 2\,\varepsilon: a line break at a space",
        r"0.80 \varepsilon: a line break between a number and its unit",
        r"0.57 \varepsilon: a line break between a number and its unit",
    ]


def test_the_accessibility_checks_catch_a_fold_named_toggle_hidden_content(
    browser, broken_site
) -> None:
    report = read_page(browser, broken_site + "unnamed-fold.html", None, touch=False)
    assert any(v.startswith("label-content-name-mismatch") for v in report["axe"]), report["axe"]
    assert report["folds"] == ["Toggle hidden content"]


@pytest.mark.parametrize("touch", [False, True])
def test_using_a_page_catches_a_covered_fold_and_a_reference_without_a_preview(
    touch: bool, browser, phone, broken_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(globals(), "PREVIEW_PATIENCE_MS", 1_000)  # no preview will come
    problems: list[str] = []
    page = (phone if touch else browser).new_page()
    try:
        page.goto(broken_site + "covered-and-silent.html")
        use_previews_and_folds(page, touch, problems)
    finally:
        page.close()
    assert problems == [
        "no preview of #equation-one in 1 s",
        '<summary>Show the proof</summary> is covered by <div style="position: absolute; '
        'inset: 0">A banner</div>',
    ]


def test_without_the_books_stylesheet_its_derivations_do_not_fit_a_phone(
    phone, serve, built_book: Path
) -> None:
    # The same check as above, on the book itself with xentropy.css and fit.js served empty:
    # what keeps the derivations inside a phone's column is the stylesheet, and the check sees
    # it go.
    page = phone.new_page()
    page.route(
        "**/_static/xentropy.css*", lambda route: route.fulfill(body="", content_type="text/css")
    )
    page.route(
        "**/_static/fit.js*", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    try:
        page.goto(serve(built_book) + "derivation.html", wait_until="load")
        typeset(page, [])
        assert page.evaluate(MEASURE_LAYOUT)["cut"]
    finally:
        page.close()


# --- The equation preview ----------------------------------------------------------------


def wait_for_mathjax(page) -> None:
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise.then(() => true)")


def test_a_preview_stays_inside_the_window_and_open_while_pointed_at(
    browser, serve, built_book: Path
) -> None:
    base = serve(built_book)
    page = browser.new_page()
    preview = page.locator(".xentropy-eq-preview")
    try:
        for source, selector in [
            ("derivation.html", "article a.reference[href^='#equation-']"),  # on the same page
            ("index.html", "article a.reference[href*='derivation.html#equation-']"),  # another
        ]:
            page.goto(base + source)
            wait_for_mathjax(page)
            # Every reference the reader can see (not those inside a closed fold).
            links = [link for link in page.locator(selector).all() if link.is_visible()]
            assert links
            for index, link in enumerate(links):
                page.keyboard.press("Escape")  # the last preview could cover this link
                link.hover()
                preview.locator("mjx-container").first.wait_for(timeout=PATIENCE_MS)
                assert "merror" not in preview.inner_html()
                box = preview.bounding_box()
                view = page.viewport_size
                assert box["x"] >= 0, (source, index)
                assert box["x"] + box["width"] <= view["width"], (source, index)
                assert box["y"] >= 0, (source, index)
                assert box["y"] + box["height"] <= view["height"], (source, index)
                # Announced: the link is described by the preview.
                assert link.get_attribute("aria-describedby") == preview.get_attribute("id")
            # The pointer moves from the link onto the preview: it stays open...
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
            page.wait_for_timeout(800)
            assert preview.count() == 1
            # ...and closes once the pointer leaves both.
            page.mouse.move(0, 0)
            preview.wait_for(state="detached", timeout=PATIENCE_MS)
    finally:
        page.close()


def test_a_tap_shows_the_preview_and_a_second_tap_follows_the_link(
    phone, serve, built_book: Path
) -> None:
    page = phone.new_page()
    try:
        page.goto(serve(built_book) + "derivation.html")
        wait_for_mathjax(page)
        link = page.locator("article a.reference[href^='#equation-']").first
        target = link.get_attribute("href")
        link.tap()
        page.locator(PREVIEW).first.wait_for(timeout=PATIENCE_MS)
        assert not page.url.endswith(target)
        link.tap()
        page.wait_for_function(f"location.hash === {target!r}")
    finally:
        page.close()


def test_from_file_previews_work_on_the_page_and_stay_silent_across_pages(
    browser, built_book: Path
) -> None:
    problems: list[str] = []
    page = browser.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto((built_book / "index.html").as_uri())
        wait_for_mathjax(page)
        page.locator("article a.reference[href*='derivation.html#equation-']").first.hover()
        page.wait_for_timeout(1000)
        assert page.locator(".xentropy-eq-preview").count() == 0
        page.goto((built_book / "derivation.html").as_uri())
        wait_for_mathjax(page)
        page.locator("article a.reference[href^='#equation-']").first.hover()
        page.locator(PREVIEW).first.wait_for(timeout=PATIENCE_MS)
    finally:
        page.close()
    assert problems == []


# --- Print -------------------------------------------------------------------------------


def test_the_printed_derivation_has_no_navigation_no_open_fold_and_wrapped_code(
    browser, serve, built_book: Path, tmp_path: Path, require_tools
) -> None:
    require_tools("pdftotext", purpose="reading the printed page")
    page = browser.new_page()
    try:
        page.goto(serve(built_book) + "derivation.html")
        wait_for_mathjax(page)
        # A reader opened every fold before printing: the printed page has them closed.
        covered: list[str] = []
        open_folds(page, covered)
        assert covered == []
        assert page.evaluate("[...document.querySelectorAll('article details')].every(d => d.open)")
        page.emulate_media(media="print")
        hidden = page.evaluate(
            """() => [".skip-link", ".bd-header", ".bd-sidebar-primary",
                      ".bd-sidebar-secondary", ".prev-next-area", "details.latex-source",
                      "details.hide", "details.cite-this"]
                .filter((s) => [...document.querySelectorAll(s)].some((e) => e.offsetParent))"""
        )
        assert hidden == []
        cut_code = page.evaluate(
            "() => [...document.querySelectorAll('article pre')]"
            ".filter((e) => e.offsetParent && e.scrollWidth > e.clientWidth + 1).length"
        )
        assert cut_code == 0
        pdf = tmp_path / "derivation.pdf"
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "The derivation, step by step" in text
    assert "Cite this page as:" in text
    for absent in [
        "Skip to main content",
        "Show code cell source",
        "Hide code cell source",
        "\\begin{equation}",  # a LaTeX source
        "@misc{",  # the BibTeX of Cite this
    ]:
        assert absent not in text, absent
    # The links to the previous and the next page, each under its label. (The page's own
    # contents, which the theme prints under the title as a chapter's contents, stay.)
    assert re.findall(r"^\s*(?:previous|next)\s*$", text, re.M | re.I) == []
