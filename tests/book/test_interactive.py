"""The book's interactive figures in a real browser: the trainer and the step-size slider.

The trainer (learning-slowdown) runs gradient descent on one neuron in JavaScript; from each
of the page's runs it must end where the page's executed Python ended. The step slider
(numeric-check) takes central differences in JavaScript; at every step of the page's figure
its worst relative error must be the figure's. The Python values are read from the built
HTML, from the JSON the executed cells glue into it for the figures, and that JSON is checked
against the numbers the page prints. The controls are operated with the keyboard, with and
without ``prefers-reduced-motion``, from ``http://127.0.0.1`` and from ``file://``, with every
other host blocked; a console error or a blocked request fails the test. The same checks are
shown to fail on deliberately broken copies of the scripts. Print and the PDF show the static
figures instead.

The browser and the local server are those of tests/book/conftest.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.book

# A bound on waiting, not a measurement.
PATIENCE_MS = 60_000


@pytest.fixture(scope="module")
def base_url(serve, built_book: Path) -> str:
    """The built book, served on 127.0.0.1."""
    return serve(built_book)


@pytest.fixture(scope="module")
def browser(chromium) -> object:
    """Debian's headless Chromium with a fresh profile (tests/book/conftest.py), 1280 x 900."""
    return chromium(viewport={"width": 1280, "height": 900})


# --- A watched page ----------------------------------------------------------------------


@dataclass
class Watched:
    """A page of the book and what went wrong on it: console errors, exceptions, requests."""

    page: object
    problems: list[str] = field(default_factory=list)


@contextmanager
def opened(
    browser,
    url: str,
    ready: str,
    *,
    motion: str = "reduce",
    scripts: dict[str, str] | None = None,
) -> Iterator[Watched]:
    """Open ``url`` and wait until ``ready`` (a selector) shows the figure has started.

    Only the book's own origin (or ``file:``) is reachable: Chromium resolves no name but
    127.0.0.1 (tests/book/conftest.py), and each request to another host is counted as it is
    sent. ``scripts`` maps the name of a script in ``_static/`` to the text served in its
    place: a broken copy, for the tests that show a check can fail. (Only those requests are
    intercepted: intercepting any turns off the browser's cache.)
    """
    page = browser.new_page()
    watched = Watched(page)
    origin = urlsplit(url)[:2]
    replacements = scripts or {}

    def request(request) -> None:
        address = urlsplit(request.url)
        if address[:2] != origin and address.scheme != "data":
            watched.problems.append(f"blocked request to another host: {request.url}")

    def replaced(address: str) -> bool:
        path = urlsplit(address).path
        return "/_static/" in path and path.rsplit("/", 1)[-1] in replacements

    def replace(route) -> None:
        name = urlsplit(route.request.url).path.rsplit("/", 1)[-1]
        route.fulfill(body=replacements[name], content_type="text/javascript")

    page.on("request", request)
    if replacements:
        page.route(replaced, replace)
    page.on(
        "console",
        lambda m: m.type == "error" and watched.problems.append(f"console error: {m.text}"),
    )
    page.on("pageerror", lambda e: watched.problems.append(f"uncaught exception: {e}"))
    page.on(
        "requestfailed",
        lambda r: watched.problems.append(f"failed request: {r.url} ({r.failure})"),
    )
    page.emulate_media(reduced_motion=motion)
    try:
        page.goto(url, wait_until="load", timeout=PATIENCE_MS)
        page.wait_for_selector(f"{ready}[data-ready='true']", timeout=PATIENCE_MS)
        yield watched
    finally:
        page.close()


# --- What the pages glue -------------------------------------------------------------------


def glued_json(html: Path, element_id: str) -> dict:
    """The JSON an executed cell glued into a page for its interactive figure."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return json.loads(soup.select_one(f"script#{element_id}").string)


@pytest.fixture(scope="module")
def trainer_data(built_book: Path) -> dict:
    return glued_json(built_book / "learning-slowdown.html", "xentropy-trainer-data")


@pytest.fixture(scope="module")
def stepsize_data(built_book: Path) -> dict:
    return glued_json(built_book / "numeric-check.html", "xentropy-stepsize-data")


def printed_final_outputs(html: Path) -> dict[tuple[str, str], str]:
    """The page's table of outputs after training: (cost, start) -> the number it prints."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for table in soup.select("table.table"):
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        if headers and headers[0].startswith("start"):
            costs = [h.split(",")[0] for h in headers[1:]]
            return {
                (cost, row.select("td")[0].get_text(strip=True)): cell.get_text(strip=True)
                for row in table.select("tbody tr")
                for cost, cell in zip(costs, row.select("td")[1:], strict=True)
            }
    raise AssertionError("no table of final outputs on the learning-slowdown page")


def test_the_trainer_is_handed_the_outputs_the_page_prints(
    trainer_data: dict, built_book: Path
) -> None:
    printed = printed_final_outputs(built_book / "learning-slowdown.html")
    handed = {
        (r["cost"], f"({r['w']}, {r['b']})"): f"{r['final']:.3f}" for r in trainer_data["runs"]
    }
    assert handed == printed


# --- The trainer ---------------------------------------------------------------------------

TRAINER = "#xentropy-trainer"
# The browser's output after the last epoch against the page's Python, relative to the
# Python's (the outputs lie between 0 and 1, far from 0): the two differ only by the last bit
# of an exp here and there (V8's and NumPy's), a few units of 1e-16.
AGREEMENT = 1e-12


def state(page, name: str) -> str | None:
    return page.eval_on_selector(TRAINER, f"root => root.dataset.{name} ?? null")


def set_field(page, selector: str, value: float | int) -> None:
    """Type a value into a number field with the keyboard, as a reader would."""
    page.focus(selector)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(repr(value))
    page.keyboard.press("Tab")


def choose_cost(page, cost: str) -> None:
    """Move through the radio group with the arrow keys until ``cost`` is checked."""
    checked = "input[name='xt-cost']:checked"
    page.focus(checked)
    for _ in range(2):
        if page.eval_on_selector(checked, "e => e.value") == cost:
            return
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector(checked, "e => e.value") == cost


def enter_settings(page, run: dict) -> None:
    choose_cost(page, run["cost"])
    set_field(page, "#xt-w", run["w"])
    set_field(page, "#xt-b", run["b"])
    set_field(page, "#xt-eta", run["eta"])
    set_field(page, "#xt-epochs", run["epochs"])


# Every value the trainer's shown epoch takes, from now on, in order.
RECORD_EPOCHS = """
root => {
  if (window.epochRecorder) window.epochRecorder.disconnect();
  const shown = window.epochsShown = [];
  window.epochRecorder = new MutationObserver((records) => {
    for (const r of records) shown.push(r.oldValue);
  });
  window.epochRecorder.observe(
    root, {attributes: true, attributeFilter: ["data-epoch"], attributeOldValue: true});
}
"""


def run_to_the_end(page, epochs: int) -> list[int]:
    """Press Run with the keyboard, wait for the last epoch; the epochs shown on the way."""
    page.eval_on_selector(TRAINER, RECORD_EPOCHS)
    page.focus("#xt-run")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => {{ const r = document.querySelector('{TRAINER}');"
        f" return r.dataset.state === 'idle' && r.dataset.epoch === '{epochs}'; }}",
        timeout=PATIENCE_MS,
    )
    # The records hold each value before it changed; the last value is the current one.
    before = page.evaluate("window.epochsShown")
    return [int(v) for v in before[1:]] + [int(state(page, "epoch"))]


def trainer_mismatches(page, runs: list[dict]) -> list[str]:
    """Each run entered and played; what differs from the page's Python by more than 1e-12."""
    found = []
    for run in runs:
        enter_settings(page, run)
        run_to_the_end(page, run["epochs"])
        ours = float(page.text_content("#xt-final-js"))
        shown_python = float(page.text_content("#xt-final-py"))
        assert shown_python == run["final"]
        if not abs(ours - run["final"]) <= AGREEMENT * abs(run["final"]):
            found.append(
                f"{run['cost']} from ({run['w']}, {run['b']}): {ours!r} != {run['final']!r}"
            )
    return found


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_the_trainer_ends_where_the_pages_python_ended(
    motion: str, browser, base_url: str, trainer_data: dict
) -> None:
    with opened(browser, base_url + "learning-slowdown.html", TRAINER, motion=motion) as watched:
        page = watched.page
        for run in trainer_data["runs"]:
            enter_settings(page, run)
            shown = run_to_the_end(page, run["epochs"])
            if motion == "reduce":
                assert shown == [run["epochs"]]  # no animation: the last epoch at once
            else:
                assert len(shown) > 2, shown  # the epochs on the way were drawn...
                assert shown == sorted(set(shown)), shown  # ...in order
                assert shown[-1] == run["epochs"]
            ours = float(page.text_content("#xt-final-js"))
            assert ours == pytest.approx(run["final"], rel=AGREEMENT, abs=0)
            assert float(page.text_content("#xt-final-py")) == run["final"]
            status = page.text_content("#xt-status")
            assert status.startswith(f"Epoch {run['epochs']} of {run['epochs']}: output a = ")
        assert watched.problems == []


def test_the_check_of_the_trainer_catches_a_changed_update(
    browser, base_url: str, built_book: Path, trainer_data: dict
) -> None:
    script = (built_book / "_static" / "trainer.js").read_text(encoding="utf-8")
    right = "b = b - eta * d;"
    assert right in script
    # The bias moved by a billionth more than the gradient says.
    broken = {"trainer.js": script.replace(right, "b = b - eta * d * (1 + 1e-9);")}
    with opened(browser, base_url + "learning-slowdown.html", TRAINER, scripts=broken) as watched:
        found = trainer_mismatches(watched.page, trainer_data["runs"])
        assert len(found) == len(trainer_data["runs"]), found
        assert watched.problems == []


def path_of(page, plot: str, line: str) -> str:
    return page.eval_on_selector(f"{plot} path.{line}", "path => path.getAttribute('d')")


def test_changing_the_cost_changes_the_curve(browser, base_url: str, trainer_data: dict) -> None:
    first, other = trainer_data["runs"][0], None
    other = next(r for r in trainer_data["runs"] if r["cost"] != first["cost"])
    with opened(browser, base_url + "learning-slowdown.html", TRAINER) as watched:
        page = watched.page
        enter_settings(page, first)
        run_to_the_end(page, first["epochs"])
        played = path_of(page, "#xt-output-plot", first["cost"])
        choose_cost(page, other["cost"])
        run_to_the_end(page, first["epochs"])
        changed = path_of(page, "#xt-output-plot", other["cost"])
        assert changed != played
        # The run played before stays on the plot, dashed, as it was.
        assert path_of(page, "#xt-output-plot", "previous") == played
        assert page.is_visible("#xt-legend-previous")
        assert watched.problems == []


def test_step_reset_and_the_epoch_slider_work_from_the_keyboard(
    browser, base_url: str, trainer_data: dict
) -> None:
    run = trainer_data["runs"][0]
    with opened(browser, base_url + "learning-slowdown.html", TRAINER) as watched:
        page = watched.page
        enter_settings(page, run)
        page.focus("#xt-step")
        for _ in range(3):
            page.keyboard.press("Space")
        assert state(page, "epoch") == "3"
        assert page.text_content("#xt-status").startswith(f"Epoch 3 of {run['epochs']}:")
        assert page.input_value("#xt-epoch") == "3"
        page.focus("#xt-epoch")
        page.keyboard.press("End")
        assert state(page, "epoch") == str(run["epochs"])
        assert float(page.text_content("#xt-final-js")) == pytest.approx(
            run["final"], rel=AGREEMENT, abs=0
        )
        page.keyboard.press("ArrowLeft")
        assert state(page, "epoch") == str(run["epochs"] - 1)
        page.focus("#xt-reset")
        page.keyboard.press("Enter")
        assert state(page, "epoch") == "0"
        assert page.text_content("#xt-status").startswith(f"Epoch 0 of {run['epochs']}:")
        assert watched.problems == []


def test_a_field_without_a_number_is_named_not_run(browser, base_url: str) -> None:
    with opened(browser, base_url + "learning-slowdown.html", TRAINER) as watched:
        page = watched.page
        page.focus("#xt-eta")
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.press("Delete")
        page.focus("#xt-run")
        page.keyboard.press("Enter")
        assert "for the learning rate η" in page.text_content("#xt-status")
        assert page.get_attribute("#xt-eta", "aria-invalid") == "true"
        assert state(page, "epoch") == "0"
        assert watched.problems == []


def test_the_trainer_works_from_a_file_url(browser, built_book: Path, trainer_data: dict) -> None:
    url = (built_book / "learning-slowdown.html").as_uri()
    with opened(browser, url, TRAINER) as watched:
        assert trainer_mismatches(watched.page, trainer_data["runs"]) == []
        assert watched.problems == []


def test_the_controls_are_labelled(browser, base_url: str) -> None:
    with opened(browser, base_url + "learning-slowdown.html", TRAINER) as watched:
        unlabelled = watched.page.eval_on_selector_all(
            f"{TRAINER} input, {TRAINER} select, {TRAINER} button",
            "controls => controls.filter(c => !(c.labels && c.labels.length) "
            "&& !c.textContent.trim()).map(c => c.id)",
        )
        assert unlabelled == []
        for svg in watched.page.query_selector_all(f"{TRAINER} svg"):
            assert svg.get_attribute("role") == "img"
            assert svg.get_attribute("aria-label")
        assert watched.page.get_attribute("#xt-status", "aria-live") == "polite"


# --- The step slider ---------------------------------------------------------------------

STEPSIZE = "#xentropy-stepsize"


def tolerances(data: dict, reference) -> list[float]:
    """How far the browser's worst error may be from the figure's, at each step of the figure.

    The two compute the same central differences D_i with the same steps, but each cost to
    within its own rounding: NumPy's within the contract's allowance A (docs/numbers.md),
    and the browser's, which uses the same formulas, too (this test would show otherwise). So
    D_i differs by at most 2(A⁺ + A⁻)/Δ_i, Δ_i the step taken; and a relative error
    |D - g|/max(|D|, |g|) moves by at most 3δ/(|g| - δ) when D or g moves by δ. The browser
    measures against the complex step, the figure against the formula's gradient: a second
    such term. Large where round-off rules (tiny h), tiny where truncation does.
    """
    X, y = np.array(data["X"]), np.array(data["y"])
    theta = np.array(data["theta"])
    g, formula = np.array(data["reference"]), np.array(data["formula"])
    k = X.shape[1]

    def moved(delta: float, size: float) -> float:
        return 3 * delta / (size - delta) if delta < size else 2.0

    allowances = {}

    def allowance(point: np.ndarray) -> float:
        key = point.tobytes()
        if key not in allowances:
            allowances[key] = reference.exact(point[:k], point[k], X, y).cost_allowance()
        return allowances[key]

    result = []
    for h in data["steps"]:
        worst = 0.0
        for i, value in enumerate(theta):
            up, down = theta.copy(), theta.copy()
            up[i] += h * max(1.0, abs(value))
            down[i] -= h * max(1.0, abs(value))
            shift = 2 * (allowance(up) + allowance(down)) / (up[i] - down[i])
            size = min(abs(g[i]), abs(formula[i]))
            worst = max(worst, moved(shift, size) + moved(abs(g[i] - formula[i]), size))
        result.append(worst)
    return result


def stepsize_mismatches(page, data: dict, allowed: list[float]) -> list[str]:
    """Every step of the figure, reached with the arrow keys; where the browser disagrees."""
    found = []
    page.focus("#xs-step")
    page.keyboard.press("Home")
    for index, (h, plotted) in enumerate(zip(data["steps"], data["plotted"], strict=True)):
        assert page.eval_on_selector(STEPSIZE, "root => root.dataset.index") == str(index)
        ours = float(page.get_attribute("#xs-worst-js", "data-value"))
        assert float(page.get_attribute("#xs-worst-py", "data-value")) == plotted
        difference = abs(max(ours, data["floor"]) - plotted)
        if not difference <= allowed[index]:
            found.append(f"h = {h:.2e}: {ours:.6e} against {plotted:.6e}")
        page.keyboard.press("ArrowRight")
    return found


@pytest.fixture(scope="module")
def allowed(stepsize_data: dict, reference) -> list[float]:
    return tolerances(stepsize_data, reference)


def test_the_step_slider_is_handed_the_figures_data(stepsize_data: dict, built_book: Path) -> None:
    steps, plotted = np.array(stepsize_data["steps"]), np.array(stepsize_data["plotted"])
    assert steps.size == plotted.size > 10
    assert np.all(np.diff(steps) < 0)
    # The best step of central differences and its error, as the page prints them.
    soup = BeautifulSoup(
        (built_book / "numeric-check.html").read_text(encoding="utf-8"), "html.parser"
    )
    printed = {span.get_text() for span in soup.select("span.pasted-text")}
    best = int(np.argmin(plotted))
    assert {f"{steps[best]:.0e}", f"{plotted[best]:.0e}"} <= printed


def test_the_step_slider_matches_the_figure_at_every_step(
    browser, base_url: str, stepsize_data: dict, allowed: list[float]
) -> None:
    with opened(browser, base_url + "numeric-check.html", STEPSIZE) as watched:
        assert stepsize_mismatches(watched.page, stepsize_data, allowed) == []
        page = watched.page
        page.keyboard.press("End")
        last = len(stepsize_data["steps"]) - 1
        assert page.eval_on_selector(STEPSIZE, "root => root.dataset.index") == str(last)
        assert "worst relative error" in page.text_content("#xs-status")
        assert watched.problems == []
    # Where truncation rules, the allowance is a small fraction of the error itself.
    assert allowed[0] < 1e-6 * stepsize_data["plotted"][0]


def test_the_check_of_the_step_slider_catches_forward_differences(
    browser, base_url: str, built_book: Path, stepsize_data: dict, allowed: list[float]
) -> None:
    script = (built_book / "_static" / "stepsize.js").read_text(encoding="utf-8")
    right = "return (cost(up, X, y) - cost(down, X, y)) / (up[i] - down[i]);"
    assert right in script
    # Forward differences, (C(θ + h_i e_i) - C(θ)) / h_i, in place of central ones.
    forward = "return (cost(up, X, y) - cost(theta, X, y)) / (up[i] - theta[i]);"
    broken = {"stepsize.js": script.replace(right, forward)}
    with opened(browser, base_url + "numeric-check.html", STEPSIZE, scripts=broken) as watched:
        assert stepsize_mismatches(watched.page, stepsize_data, allowed) != []
        assert watched.problems == []


def test_the_step_slider_works_from_a_file_url(
    browser, built_book: Path, stepsize_data: dict, allowed: list[float]
) -> None:
    url = (built_book / "numeric-check.html").as_uri()
    with opened(browser, url, STEPSIZE) as watched:
        assert stepsize_mismatches(watched.page, stepsize_data, allowed) == []
        assert watched.problems == []


# --- Print and the PDF ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page_name", "figure"), [("learning-slowdown", TRAINER), ("numeric-check", STEPSIZE)]
)
def test_print_shows_a_note_instead_of_the_interactive_figure(
    page_name: str, figure: str, browser, base_url: str
) -> None:
    with opened(browser, base_url + f"{page_name}.html", figure) as watched:
        page = watched.page
        note = f"{figure} ~ .xentropy-print-only"
        assert page.is_visible(figure)
        assert not page.is_visible(note)
        page.emulate_media(media="print")
        assert not page.is_visible(figure)
        assert page.is_visible(note)
        assert page.get_attribute(f"{note} a", "href").startswith("#")
        assert watched.problems == []


def test_the_pdf_has_the_static_figures_and_no_interactive_one(pdf_text: str) -> None:
    flat = " ".join(pdf_text.split())
    assert "The HTML edition of this page has, here, a trainer" in flat
    assert "The HTML edition of this page has, here, a slider" in flat
    for widget_text in ["Start from a run of this page", "Step h (smaller", "IPython.core"]:
        assert widget_text not in flat
