"""The built book in a real browser: every page loads cleanly and its math is typeset.

The book built for the tests is served on 127.0.0.1 (a free port) and every page is opened in
Debian's headless Chromium (``/usr/bin/chromium``), driven by Playwright; never
a browser that Playwright downloads. A request to any other host is blocked
and counted as a problem. On each page there must be no console error, no
uncaught exception, no failed request, and every math element typeset by
MathJax: an ``mjx-container`` in each, no MathJax error, and no raw TeX
(``\\(``, ``\\[``, ``$$``, ``\\begin{``) left in the page's text outside code.
Screenshots of the book's pages are saved under ``_build/screenshots/``.

The same checking function is shown to catch each kind of problem on
throwaway pages. Without ``/usr/bin/chromium`` the tests are skipped with the
command that installs it, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Names resolve to nothing but the local server: even a request that got
    # past the interception below could not reach another host.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# How long a page may take to load, and MathJax to typeset it: a bound on waiting, not
# a measurement; a page that needs it is broken, and the failure says why.
PATIENCE_MS = 60_000

pytestmark = pytest.mark.book


# --- The server and the browser ----------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are checked in the browser; the terminal stays quiet."""


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A tab closed while a file was still being sent is not the book's problem.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def serve() -> Iterator:
    """A function that serves a folder on 127.0.0.1 and returns its base URL."""
    servers: list[tuple[LocalServer, threading.Thread]] = []

    def start(folder: Path) -> str:
        server = LocalServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        host, port = server.server_address[:2]
        return f"http://{host}:{port}/"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Debian's headless Chromium with a fresh profile, driven by Playwright."""
    if not CHROMIUM.is_file():
        reason = (
            f"no Chromium at {CHROMIUM}, so the book was not checked in a browser; "
            "install it (as root) with: apt-get install --no-install-recommends chromium"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the browser tests)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
            # The book's own fonts and layout only: no reduced-motion or colour-scheme
            # surprises from the machine.
            color_scheme="light",
            reduced_motion="reduce",
        )
        yield context
        context.close()


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
    // name in red (the noundefined extension): neither fails by itself.
    for (const item of MathJax.startup.document.math) {
      const mml = MathJax.startup.toMML(item.root);
      const error = mml.match(/<merror data-mjx-error="([^"]*)"/);
      const undefinedMacro = mml.match(/<mtext mathcolor="red">(\\[^<]*)</);
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


def page_problems(context, url: str, screenshot: Path | None = None) -> list[str]:
    """Open ``url`` in a new tab and return every problem found; ``[]`` for a clean page."""
    origin = urlsplit(url)[:2]
    problems: list[str] = []
    page = context.new_page()

    def route(route) -> None:
        if urlsplit(route.request.url)[:2] == origin or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"blocked request to another host: {route.request.url}")
            route.abort("blockedbyclient")

    def response(response) -> None:
        if response.status >= 400:
            problems.append(f"failed request: {response.url} (HTTP {response.status})")

    def failed(request) -> None:
        if not any(request.url in p for p in problems):
            problems.append(f"failed request: {request.url} ({request.failure})")

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.on("response", response)
    page.on("requestfailed", failed)
    try:
        page.goto(url, wait_until="load", timeout=PATIENCE_MS)
        math = page.evaluate(INSPECT_MATH, PATIENCE_MS)
        if math["waited"]:
            problems.append(f"MathJax did not finish typesetting in {PATIENCE_MS / 1000:.0f} s")
        elif math["math"] and math["mathjax"] is None:
            problems.append(f"{math['math']} math elements but MathJax did not start")
        problems += [f"math not typeset: {text!r}" for text in math["untypeset"]]
        problems += [f"MathJax error: {text}" for text in math["errors"]]
        problems += [f"raw TeX in the text: {text!r}" for text in math["rawTex"]]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            # Transitions finished, so the picture shows the page at rest.
            page.screenshot(path=str(screenshot), full_page=True, animations="disabled")
    finally:
        page.close()
    return problems


# --- The book ----------------------------------------------------------------------------


def book_pages(html: Path) -> list[str]:
    """Every page of the book: the HTML files outside Sphinx's ``_static`` and ``_sources``."""
    return sorted(
        str(p.relative_to(html))
        for p in html.rglob("*.html")
        if not p.relative_to(html).parts[0].startswith("_")
    )


def test_every_page_of_the_book_loads_cleanly_with_its_math_typeset(
    browser, serve, built_book: Path
) -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # no picture of a page that is gone
    base = serve(built_book)
    sources = {
        p.relative_to(ROOT / "docs").with_suffix("").as_posix()
        for p in (ROOT / "docs").rglob("*.md")
    }
    pages = book_pages(built_book)
    assert {p.removesuffix(".html") for p in pages} >= sources
    problems = {}
    for page in pages:
        name = page.removesuffix(".html")
        shot = SCREENSHOTS / f"{name.replace('/', '--')}.png" if name in sources else None
        if found := page_problems(browser, base + page, screenshot=shot):
            problems[page] = found
    assert problems == {}
    assert {p.stem for p in SCREENSHOTS.glob("*.png")} >= {s.replace("/", "--") for s in sources}


# --- The check can fail ------------------------------------------------------------------

MATHJAX = Path(sys.prefix) / "share" / "xentropy" / "static" / "mathjax"  # make venv put it there
# As Sphinx and MyST-NB write it: a page's sections are not searched for TeX,
# only the elements of these classes are typeset.
MATHJAX_HEAD = (
    '<script>window.MathJax = {"loader": {"paths": {"fonts": "[mathjax]/fonts"}}, '
    '"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}'
    "</script>"
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


def test_hovering_a_reference_to_an_equation_shows_the_equation(
    browser, serve, built_book: Path
) -> None:
    base = serve(built_book)
    page = browser.new_page()
    try:
        for source, link in [
            ("derivation.html", "a.reference[href^='#equation-']"),  # on the same page
            ("index.html", "a.reference[href*='derivation.html#equation-']"),  # on another
        ]:
            page.goto(base + source)
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
            preview = page.locator(".xentropy-eq-preview")
            assert preview.count() == 0
            page.locator(link).first.hover()
            preview.locator("mjx-container").first.wait_for(timeout=PATIENCE_MS)
            assert "merror" not in preview.inner_html()
            page.mouse.move(0, 0)
            preview.wait_for(state="detached", timeout=PATIENCE_MS)
    finally:
        page.close()
