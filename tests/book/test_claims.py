"""What the built book claims is what it checked, in one notation, and it points nowhere outside.

These read the HTML of the cold build (the ``built_book`` fixture): the pages a reader gets.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from xentropy import notation
from xentropy.sphinxext.verification import NUMERIC

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.book


@functools.cache  # parsed once for all the tests; none of them changes a page
def _pages(built_book: Path) -> dict[str, BeautifulSoup]:
    return {
        p.stem: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(built_book.glob("*.html"))
        if p.stem not in {"genindex", "search"}
    }


def _main(soup: BeautifulSoup) -> BeautifulSoup:
    return soup.select_one("main") or soup


def _math(soup: BeautifulSoup) -> list[str]:
    return [m.get_text() for m in _main(soup).select(".math")]


def _numeric_rows(soup: BeautifulSoup) -> int:
    return sum(
        row.count(NUMERIC)
        for block in _math(soup)
        if "\\begin{aligned}" in block
        for row in block.split("\\\\")
    )


OVERCLAIMS = re.compile(
    r"every (step|line|equation)[^.]*(verified|proven|checked)|"
    r"(each|all)[^.]{0,40}proven exactly",
    re.IGNORECASE,
)


def test_no_page_claims_more_than_it_checked(built_book: Path) -> None:
    for name, soup in _pages(built_book).items():
        numeric = _numeric_rows(soup)
        text = _main(soup).get_text(" ", strip=True)
        box = soup.select_one(".provenance")
        if numeric:
            assert not OVERCLAIMS.search(text), (name, OVERCLAIMS.search(text))
            assert box is not None, name
            assert f"{numeric} checked numerically" in box.get_text(), name
        elif box is not None:
            assert "proven exactly" in box.get_text(), name


def test_a_numerically_checked_step_would_be_reported(built_book: Path) -> None:
    # The same reading, on a page that shows one step checked numerically: it is counted, and
    # a claim that every step was proven is caught.
    page = BeautifulSoup(
        "<main><div class='math'>\\begin{aligned}a &= b && \\text{x} \\\\ &= c && "
        f"\\text{{y {NUMERIC}}}\\end{{aligned}}</div><p>Every step was proven by SymPy.</p></main>",
        "html.parser",
    )
    assert _numeric_rows(page) == 1
    assert OVERCLAIMS.search(_main(page).get_text(" ", strip=True))


PATH = re.compile(
    r"(?<![\w/.:-])((?:[\w-]+/)+[\w.-]+\.(?:py|md|toml|cff|json|cfg|txt)|[\w-]+\.md)\b"
)


def test_the_book_mentions_no_path_outside_the_repository(built_book: Path) -> None:
    outside = {}
    for name, soup in _pages(built_book).items():
        text = _main(soup).get_text(" ")
        assert "shared/" not in text, name
        assert "NUMERICS.md" not in text, name
        for path in PATH.findall(text):
            if not (ROOT / path).exists() and not (ROOT / "docs" / path).exists():
                outside.setdefault(name, set()).add(path)
    assert outside == {}


def test_one_transpose_and_one_entrywise_product_across_pages(built_book: Path) -> None:
    for name, soup in _pages(built_book).items():
        math = " ".join(_math(soup))
        for other in ("\\top", "\\intercal", "\\mathsf{T}", "\\circ"):
            assert other not in math, (name, other)
        text = _main(soup).get_text(" ")
        assert "⊤" not in text, name
        assert "∘" not in text, name


def test_the_notation_table_lists_every_symbol(built_book: Path) -> None:
    soup = _pages(built_book)["notation"]
    section = soup.select_one("#notation-table") or soup.select_one("section#the-book-s-notation")
    assert section is not None
    rows = section.find_next("table").select("tbody tr")
    groups = {entry.group for entry in notation.TABLE}
    assert len(rows) == len(notation.TABLE) + len(groups)


def test_every_layer_has_one_row_of_weights_per_neuron(built_book: Path) -> None:
    pages = _pages(built_book)
    for name in ("softmax", "backprop"):
        assert "one row per" in _main(pages[name]).get_text(" "), name
    softmax = _main(pages["softmax"]).get_text(" ")
    assert "K \\times k" in softmax
    assert "k \\times K" not in softmax


def test_the_code_quotes_the_numbers_of_the_equations_that_derive_it(built_book: Path) -> None:
    source = (ROOT / "src" / "xentropy" / "numeric" / "binary.py").read_text(encoding="utf-8")
    quoted = set(re.findall(r"equations? \((4\.\d+)\)", source))
    quoted |= set(re.findall(r"equations \(4\.\d+\) to \((4\.\d+)\)", source))
    soup = _pages(built_book)["numeric-check"]
    numbers = {
        label: re.search(r"\((\d+\.\d+)\)", eq.select_one(".eqno").get_text()).group(1)
        for label in ("cost-from-logit", "cost-for-negative-logits", "residual-from-logit")
        if (eq := soup.select_one(f"#equation-eq-{label}")) is not None
    }
    assert len(numbers) == 3
    assert quoted == set(numbers.values())


def test_a_table_is_captioned_as_a_table_not_as_a_figure(built_book: Path) -> None:
    tables, figures = [], []
    for name, soup in _pages(built_book).items():
        for figure in _main(soup).select("figure"):
            number = figure.select_one("figcaption .caption-number")
            if number is None:
                continue
            (tables if figure.select_one("table") else figures).append(
                (name, number.get_text(strip=True))
            )
    # The glued tables of the appendix and numeric-check, the plots everywhere else.
    assert len(tables) >= 7
    assert figures
    assert all(label.startswith("Table") for _, label in tables), tables
    assert not any(label.startswith("Table") for _, label in figures), figures
