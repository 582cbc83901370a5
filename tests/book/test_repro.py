"""Two builds of the same source are the same book, byte for byte.

``make repro`` checks the real book: two clean builds, compared by
``tools/compare_builds.py``. Two clean builds of the whole book take minutes,
too long for every ``make test``, so here the comparison is shown to catch a
difference, and two clean builds of a throwaway book with the kinds of output
that are easily non-reproducible (PNG and SVG figures, a set of strings, the
downloadable notebooks) are shown identical except for one page that is not
reproducible on purpose.

Times measured while the book is built are the one planned exception: they are
shown marked (``xentropy.timing``), and the comparison masks exactly the marked
values. The tests show that it does, in a built page too, and that a
difference anywhere else, next to a measured value included, is still caught.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xentropy import timing

ROOT = Path(__file__).resolve().parents[2]
COMPARE = ROOT / "tools" / "compare_builds.py"


def compare_builds(first: Path, second: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(COMPARE), str(first), str(second)],
        capture_output=True,
        text=True,
        check=False,
    )


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


BUILD = {
    "index.html": "<html>\n<body>\n<p>The gradient.</p>\n</body>\n</html>\n",
    "_images/figure.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "searchindex.js": 'Search.setIndex({"terms":{"gradient":0,' + '"x":1,' * 200 + '"z":2})',
}


def test_identical_builds_pass(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first", BUILD)
    second = write_tree(tmp_path / "second", BUILD)
    result = compare_builds(first, second)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "byte-identical: 3 files" in result.stdout


def test_a_changed_line_is_reported_with_both_versions(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first", BUILD)
    changed = BUILD["index.html"].replace("The gradient.", "Built at 12:03:04.")
    second = write_tree(tmp_path / "second", {**BUILD, "index.html": changed})
    result = compare_builds(first, second)
    assert result.returncode == 1
    assert "differs:            index.html" in result.stdout
    assert "- <p>The gradient.</p>" in result.stdout
    assert "+ <p>Built at 12:03:04.</p>" in result.stdout


def test_a_long_line_is_cut_around_its_difference(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first", BUILD)
    changed = BUILD["searchindex.js"].replace('"z":2', '"0x7f3a9c":2')
    second = write_tree(tmp_path / "second", {**BUILD, "searchindex.js": changed})
    result = compare_builds(first, second)
    assert result.returncode == 1
    shown = {line[0]: line for line in result.stdout.splitlines() if line[:2] in ("- ", "+ ")}
    assert '"z":2' in shown["-"]
    assert '"0x7f3a9c":2' in shown["+"]
    assert max(len(line) for line in shown.values()) < 200


def test_binary_files_and_files_in_one_build_only_are_reported(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first", {**BUILD, "old.html": "gone\n"})
    figure = bytearray(BUILD["_images/figure.png"])
    figure[100] ^= 0xFF
    second = write_tree(
        tmp_path / "second", {**BUILD, "_images/figure.png": bytes(figure), "new.html": "new\n"}
    )
    result = compare_builds(first, second)
    assert result.returncode == 1
    assert "differs:            _images/figure.png" in result.stdout
    assert "first difference at byte 100" in result.stdout
    assert "only in the first:  old.html" in result.stdout
    assert "only in the second: new.html" in result.stdout


def test_doctrees_are_skipped(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first", {**BUILD, ".doctrees/environment.pickle": b"\x01"})
    second = write_tree(tmp_path / "second", {**BUILD, ".doctrees/environment.pickle": b"\x02"})
    result = compare_builds(first, second)
    assert result.returncode == 0, result.stdout


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = compare_builds(write_tree(tmp_path / "first", BUILD), tmp_path / "absent")
    assert result.returncode == 2
    assert "no build folder" in result.stderr


# --- Measured values: masked, and nothing else --------------------------------------------


def page(time: str, after: str = " per call", mark: str = "data-measured") -> str:
    return (
        "<html>\n<body>\n<p>n = 1000: the gradient took "
        f'<span {mark}>{time}</span>{after}.</p>\n<figure id="fig-scaling">'
        f'<div class="x" {mark}=""><svg><g><path d="M 0 {time}"/></g></svg></div>'
        "<figcaption>Time against n.</figcaption></figure>\n</body>\n</html>\n"
    )


def notebook(time: str, extra: str = "", plain: str = "time") -> str:
    outputs = [
        {
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": "t-gradient"}},
            "data": {"text/html": f"<span data-measured>{time}</span>{extra}", "text/plain": time},
        },
        {"output_type": "stream", "name": "stdout", "text": f"{plain}\n"},
    ]
    cell = {"cell_type": "code", "source": "glue(...)", "metadata": {}, "outputs": outputs}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def measured_builds(
    root: Path, second: dict[str, str], first: dict[str, str] | None = None
) -> tuple[Path, Path]:
    """Two builds with a page and a notebook of measured values; ``second`` changes some files."""
    base = {"performance.html": page("3.1 ms"), "_sources/performance.ipynb": notebook("3.1")}
    base |= first or {}
    return (
        write_tree(root / "first", {**BUILD, **base}),
        write_tree(root / "second", {**BUILD, **base, **second}),
    )


def test_the_tool_masks_the_mark_that_the_package_writes() -> None:
    spec = importlib.util.spec_from_file_location("compare_builds", COMPARE)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.MARK == timing.MARK
    assert tool.mask_html(timing.measured(2.5, ".1f")._repr_html_()) == (
        f"<span {timing.MARK}>[measured]</span>",
        1,
    )


def test_measured_values_are_masked_and_counted(tmp_path: Path) -> None:
    second = {"performance.html": page("4.7 ms"), "_sources/performance.ipynb": notebook("4.7")}
    result = compare_builds(*measured_builds(tmp_path, second))
    assert result.returncode == 0, result.stdout
    # Two in the page (a number and a figure), one output in the notebook.
    assert "byte-identical: 5 files (.doctrees skipped; 3 measured values masked)" in result.stdout


UNMARKED = {"performance.html": page("3.1 ms", mark="data-timed")}
UNCLOSED = {"performance.html": page("3.1 ms").replace("</span>", "", 1)}


@pytest.mark.parametrize(
    ("second", "first"),
    [
        ({"performance.html": page("3.1 ms", after=" per cal")}, None),  # next to a measured value
        ({"performance.html": page("4.7 ms", mark="data-timed")}, UNMARKED),  # not marked
        ({"performance.html": page("3.1 ms").replace('id="fig-scaling"', 'id="fig-n"')}, None),
        ({"performance.html": page("3.1 ms").replace('class="x"', 'class="y"')}, None),  # the tag
        ({"performance.html": page("4.7 ms").replace("</span>", "", 1)}, UNCLOSED),  # not masked
        ({"_sources/performance.ipynb": notebook("3.1", plain="tim")}, None),  # another output
        ({"_sources/performance.ipynb": notebook("4.7", extra="<p>and more</p>")}, None),
        (
            {"notes.txt": "<span data-measured>4.7</span>"},
            {"notes.txt": "<span data-measured>3.1</span>"},
        ),
    ],
    ids=["after", "unmarked", "figure-id", "attribute", "unclosed", "output", "mixed", "not-html"],
)
def test_a_difference_outside_the_measured_values_is_still_caught(
    tmp_path: Path, second: dict[str, str], first: dict[str, str] | None
) -> None:
    result = compare_builds(*measured_builds(tmp_path, second, first))
    assert result.returncode == 1, result.stdout
    assert f"differs:            {next(iter(second))}" in result.stdout


# --- Two clean builds of a throwaway book ------------------------------------------------

PAGES = {
    "figures": """
    # Figures

    ```{code-cell} ipython3
    import matplotlib.pyplot as plt
    import numpy as np
    from myst_nb import glue

    z = np.linspace(-6, 6, 200)
    fig, ax = plt.subplots()
    ax.plot(z, 1 / (1 + np.exp(-z)))
    glue("sigmoid", fig, display=False)
    plt.close(fig)
    ```

    ```{glue:figure} sigmoid
    :name: fig-sigmoid

    The sigmoid, as a PNG.
    ```
    """,
    "svg": """
    # An SVG figure

    ```{code-cell} ipython3
    %config InlineBackend.figure_formats = ["svg"]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 1, 4], marker="o")
    ax.set_title("Squares")
    plt.show()
    ```
    """,
    "hashing": """
    # A set of strings

    ```{code-cell} ipython3
    print({"sigma", "cost", "weight", "bias", "input", "label", "gradient", "logit"})
    ```
    """,
    "measured": """
    # Measured on purpose

    ```{code-cell} ipython3
    import time

    import matplotlib.pyplot as plt
    from myst_nb import glue

    from xentropy.timing import measured, measured_figure

    clock = time.perf_counter_ns()
    glue("clock", measured(clock, "d"), display=False)
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, clock % 1000, 1])
    glue("fig-clock", measured_figure(fig), display=False)
    plt.close(fig)
    ```

    The clock read {glue}`clock` nanoseconds.

    ```{glue:figure} fig-clock
    :name: fig-clock

    A figure drawn from the clock.
    ```
    """,
    "planted": """
    # Not reproducible on purpose

    ```{code-cell} ipython3
    import uuid

    print("planted", uuid.uuid4().hex)
    ```
    """,
}


@pytest.mark.book
def test_two_clean_builds_differ_only_where_a_page_is_not_reproducible(
    tmp_path: Path, make, write_pages
) -> None:
    source = write_pages(tmp_path / "docs", PAGES)
    for build in ("first", "second"):
        result = make("html", f"SOURCEDIR={source}", f"BUILDDIR={tmp_path / build}")
        assert result.returncode == 0, result

    result = compare_builds(tmp_path / "first" / "html", tmp_path / "second" / "html")
    assert result.returncode == 1, result.stdout
    differing = {
        line.split(":", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.startswith("  differs:") or line.startswith("  only in")
    }
    # The planted page, the notebook its download button offers, and the search
    # index that holds its words; the figures, the set, the measured page (its
    # values masked) and the other notebooks are identical.
    assert differing == {"planted.html", "_sources/planted.ipynb", "searchindex.js"}, result.stdout
    # The number and the figure in the measured page (its notebook keeps no glued output).
    assert "2 measured values masked" in result.stdout
    assert re.search(r"^- .*planted [0-9a-f]{32}", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^\+ .*planted [0-9a-f]{32}", result.stdout, re.MULTILINE), result.stdout
    # ...and the outputs whose sameness is claimed were really made.
    built = tmp_path / "first" / "html"
    assert {p.suffix for p in (built / "_images").iterdir()} == {".png", ".svg"}
    measured_page = (built / "measured.html").read_text(encoding="utf-8")
    assert re.search(r"The clock read <span [^>]*><span data-measured>\d+</span>", measured_page)
    assert re.search(r"<div data-measured><svg [^>]*>.*</svg></div>", measured_page, re.DOTALL)
    assert {p.stem for p in (built / "_sources").glob("*.ipynb")} == set(PAGES)
