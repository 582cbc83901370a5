"""What the tests of the built book share: Debian's Chromium, a local server, the PDF's text.

The browser is always Debian's ``/usr/bin/chromium``, driven by Playwright, never one that
Playwright downloads; names resolve to nothing but the local server, so no request can reach
another host. Without Chromium or TeX the tests that need them are skipped with the command that
installs them, except in CI (``CI`` set), where they fail (``require_tools``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
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
    # Names (and addresses) resolve to nothing but the local server: no request reaches
    # another host. The tests count each one a page sends (its "request" events).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of the built book is in the book tier, marked or not: never in make check."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.book)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are checked in the browser; the terminal stays quiet."""

    def do_GET(self) -> None:
        # Chromium asks each site for /favicon.ico. The book names no icon (served under a
        # path of a site, the icon is the site's), and a 404 would be a console error on the
        # first page of a session: the local server answers "no content" unless there is one.
        if self.path == "/favicon.ico" and not (Path(self.directory) / "favicon.ico").exists():
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A tab closed while a file was still being sent is not the book's problem.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Path], str]]:
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


@pytest.fixture(scope="session")
def chromium(
    require_tools: Callable[..., None], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., object]]:
    """``chromium(**device)``: a fresh-profile context of Debian's headless Chromium.

    The book's own layout only: light colours and reduced motion unless ``device`` says
    otherwise (``viewport``, ``is_mobile``, ``has_touch``, ...). Contexts close at the end.
    """
    require_tools(str(CHROMIUM), purpose="checking the book in a browser")
    from playwright.sync_api import sync_playwright

    contexts = []
    with sync_playwright() as playwright:

        def launch(**device: object) -> object:
            options: dict[str, object] = {"color_scheme": "light", "reduced_motion": "reduce"}
            context = playwright.chromium.launch_persistent_context(
                user_data_dir=str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
                **(options | device),
            )
            contexts.append(context)
            return context

        yield launch
        for context in contexts:
            context.close()


@pytest.fixture(scope="session")
def pdf_text(require_tools: Callable[..., None], book_build, make) -> str:
    """The PDF's text, built once per test run into the folder of the tests' HTML build.

    ``make pdf`` reuses that build's executed pages, and the PDF's equation numbers are
    compared with that HTML's.
    """
    require_tools("latexmk", "xelatex", "pdftotext", purpose="make pdf")

    def build() -> str:
        result = make("pdf", f"BUILDDIR={book_build.folder}")
        assert result.returncode == 0, result
        pdf = book_build.folder / "latex" / "xentropy.pdf"
        return subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout

    return book_build.once("pdf", build)
