"""make pdf builds the whole book as a PDF with its derivations and numbered equations.

TeX Live is a system package that the Makefile cannot install; .ci/run installs it
(.ci/system-packages), so CI always runs this test. Elsewhere it says what to install.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.book


def test_pdf_has_every_chapter(pdf_text: str) -> None:
    titles = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        first_heading = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.M)
        titles.append(first_heading.group(1).strip())
    flat = " ".join(pdf_text.split())
    missing = [t for t in titles if " ".join(t.split()) not in flat]
    assert missing == [], f"chapters missing from the PDF: {missing}"


def test_pdf_numbers_the_equations_as_the_html_does(pdf_text: str, built_book: Path) -> None:
    numbers = set()
    for page in built_book.glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        numbers |= {span.get_text().strip("#¶ ") for span in soup.select("span.eqno")}
    assert numbers, "the book has no numbered equation"
    missing = sorted(n for n in numbers if n not in pdf_text)
    assert missing == []
