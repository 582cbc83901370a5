"""The book as a whole: it builds, a broken page breaks it, its cache and its HTML can be trusted.

Every build here goes through ``make html``, the command the README gives, so
the throwaway projects are built with exactly the book's configuration
(``conf.py``, the Sphinx flags in the Makefile) and only their pages differ.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.book


def executed_pages(output: str) -> set[str]:
    """The pages MyST-NB executed (rather than took from its cache) in a build's output."""
    return {Path(m).stem for m in re.findall(r"^(\S+\.md): Executing notebook", output, re.M)}


def test_book_builds(built_book: Path) -> None:
    sources = {p.relative_to(ROOT / "docs").with_suffix("") for p in (ROOT / "docs").rglob("*.md")}
    built = {p.relative_to(built_book).with_suffix("") for p in built_book.rglob("*.html")}
    assert sources <= built


def test_rebuild_with_nothing_changed_executes_nothing_and_writes_no_page(book_build, make) -> None:
    # The chapters; Sphinx writes its generated pages (genindex, search, the proofs' index)
    # again in every build, whatever changed.
    html = book_build.folder / "html"
    pages = [html / f"{p.stem}.html" for p in (ROOT / "docs").glob("*.md")]
    generated = [html / f"{name}.html" for name in ("genindex", "search", "prf-prf")]
    before = {page: page.stat().st_mtime_ns for page in pages}
    written = {page: page.read_bytes() for page in generated}
    with book_build.exclusive():
        result = make("html", f"BUILDDIR={book_build.folder}")
    assert result.returncode == 0, result
    assert executed_pages(result.output) == set()
    assert "kernel server" not in result.output  # nothing to execute, nothing imported
    assert {page: page.stat().st_mtime_ns for page in pages} == before
    # ...and the generated pages as the clean build wrote them: stylesheets copied when a build
    # ends gave a rebuild's links checksums that a clean build's lacked (sphinxext/compat.py).
    assert [page.name for page in generated if page.read_bytes() != written[page]] == []


def test_every_stylesheet_a_page_links_carries_its_checksum(built_book: Path) -> None:
    # So that a browser fetches a stylesheet again when it changes; a clean build linked those
    # copied late by sphinx-proof, sphinx-exercise and MyST-NB without one (sphinxext/compat.py).
    links = {
        link["href"]
        for page in built_book.glob("*.html")
        for link in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(
            "link[rel=stylesheet]"
        )
    }
    assert links
    assert [href for href in sorted(links) if not re.search(r"\?(v|digest)=\w+$", href)] == []


def test_a_clean_build_says_what_it_does_and_warns_of_nothing(book_build) -> None:
    lines = book_build.output.splitlines()
    # Each page it executes, and how long that took...
    notebooks = [p for p in (ROOT / "docs").glob("*.md") if "kernelspec:" in p.read_text()]
    sources = {p.stem for p in notebooks}
    assert executed_pages(book_build.output) == sources
    timed = {
        Path(m).stem
        for m in re.findall(
            r"^(\S+\.md): Executed notebook in [\d.]+ seconds", book_build.output, re.M
        )
    }
    assert timed == sources
    # ...that each page's kernel was forked from one that had imported what the pages import...
    server = r"^kernel server: \d+ modules imported in [\d.]+ s; each page's kernel is a fork$"
    assert len(re.findall(server, book_build.output, re.M)) == 1
    # ...and no warning: not from Sphinx, not from the kernels that executed the pages.
    assert [line for line in lines if "WARNING" in line] == []


BROKEN_PAGES = {
    "a cell that raises": (
        """
        # A broken page

        ```{code-cell} ipython3
        raise RuntimeError("this page is deliberately broken")
        ```
        """,
        ["RuntimeError", "this page is deliberately broken"],
    ),
    "a wrong derivation step": (
        """
        # A derivation with a wrong step

        ```{code-cell} ipython3
        import sympy as sp

        from xentropy.derivation import Derivation

        t = sp.Symbol("t", real=True)
        d = Derivation(sp.Derivative(t * sp.exp(t), t), label="eq-wrong")
        d.step(t * sp.exp(t) - sp.exp(t), "product rule")
        ```
        """,
        ["StepError", "derivation 'eq-wrong', step 1 (product rule)"],
    ),
}


@pytest.mark.parametrize("case", BROKEN_PAGES)
def test_a_broken_page_fails_the_build_with_its_traceback_in_the_terminal(
    case: str, tmp_path: Path, make, write_pages
) -> None:
    page, expected = BROKEN_PAGES[case]
    source = write_pages(tmp_path / "docs", {"broken": page})
    result = make("html", f"SOURCEDIR={source}", f"BUILDDIR={tmp_path / '_build'}")
    assert result.returncode != 0, result
    # The traceback reaches the terminal, not only a report file.
    for text in expected:
        assert text in result.output


def test_parallel_build_with_propositions_and_exercises(tmp_path: Path, make, write_pages) -> None:
    # Sphinx reads in parallel only when more than five pages are to be read.
    pages = {f"page{number}": f"# Page {number}\n\nText.\n" for number in range(6)}
    pages["page0"] = """
    # Propositions

    ```{prf:proposition} The derivative of the logistic function
    :label: prop-sigma-prime

    $\\sigma' = \\sigma(1 - \\sigma)$.
    ```

    ```{exercise}
    :label: ex-sigma

    Show {prf:ref}`prop-sigma-prime`.
    ```

    ```{solution} ex-sigma
    :class: dropdown

    Differentiate.
    ```
    """
    write_pages(tmp_path / "docs", pages)
    result = make(
        "html", f"SOURCEDIR={tmp_path / 'docs'}", f"BUILDDIR={tmp_path / '_build'}", "JOBS=2"
    )
    assert result.returncode == 0, result
    html = (tmp_path / "_build" / "html" / "page0.html").read_text(encoding="utf-8")
    assert "prop-sigma-prime" in html
    assert "ex-sigma" in html


def test_a_package_change_executes_again_exactly_the_pages_that_import_it(
    tmp_path: Path, make, write_pages
) -> None:
    # probe_pkg/__init__.py is empty; uses_a imports probe_pkg.a, which imports probe_pkg.shared;
    # uses_b imports probe_pkg.b; probe_pkg.tools is imported by no page.
    package = tmp_path / "pkg" / "probe_pkg"
    package.mkdir(parents=True)
    modules = {
        "__init__": "",
        "shared": 'WORD = "first"\n',
        "a": "from probe_pkg.shared import WORD\n\nVALUE = f'a says {WORD}'\n",
        "b": 'VALUE = "b says first"\n',
        "tools": 'UNUSED = "first"\n',
    }
    for name, text in modules.items():
        (package / f"{name}.py").write_text(text)
    page = """
    # Imports probe_pkg.NAME

    ```{code-cell} ipython3
    from probe_pkg import NAME

    print(NAME.VALUE)
    ```
    """
    write_pages(
        tmp_path / "docs",
        {
            "uses_a": page.replace("NAME", "a"),
            "uses_b": page.replace("NAME", "b"),
            "plain": """
            # Does not import it

            ```{code-cell} ipython3
            print("nothing imported")
            ```
            """,
        },
    )
    build = tmp_path / "_build"

    def build_book() -> tuple[set[str], dict[str, str]]:
        result = make(
            "html",
            f"SOURCEDIR={tmp_path / 'docs'}",
            f"BUILDDIR={build}",
            "SPHINXOPTS=-D xentropy_watch_package=probe_pkg",
            env={"PYTHONPATH": str(tmp_path / "pkg")},
        )
        assert result.returncode == 0, result
        pages = {
            p: (build / "html" / f"{p}.html").read_text(encoding="utf-8")
            for p in ("uses_a", "uses_b")
        }
        return executed_pages(result.output), pages

    executed, pages = build_book()
    assert executed == {"uses_a", "uses_b", "plain"}
    assert "a says first" in pages["uses_a"]

    executed, _ = build_book()
    assert executed == set()

    (package / "tools.py").write_text('UNUSED = "second"\n')  # no page imports it
    executed, _ = build_book()
    assert executed == set()

    (package / "shared.py").write_text('WORD = "second"\n')  # imported through probe_pkg.a
    executed, pages = build_book()
    assert executed == {"uses_a"}
    assert "a says second" in pages["uses_a"]
    assert "a says first" not in pages["uses_a"]

    (package / "b.py").write_text('VALUE = "b says second"\n')
    executed, pages = build_book()
    assert executed == {"uses_b"}
    assert "b says second" in pages["uses_b"]


# --- Offline: nothing is loaded from another host --------------------------------------

# Every attribute through which a page makes the browser fetch something by itself.
# Ordinary hyperlinks (<a href>) are followed only when the reader clicks them.
FETCHING_ATTRIBUTES = {
    "script": ["src"],
    "link": ["href"],
    "img": ["src", "srcset"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "track": ["src"],
}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")


def is_remote(url: str) -> bool:
    """True for a URL that names another host (``//host``, ``http:``, ``https:`` ...)."""
    url = url.strip()
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob", "about", "javascript")


def remote_resources_in_html(text: str) -> list[str]:
    soup = BeautifulSoup(text, "html.parser")
    found = []
    for tag, attributes in FETCHING_ATTRIBUTES.items():
        for element in soup.find_all(tag):
            for attribute in attributes:
                value = element.get(attribute)
                if not value:
                    continue
                urls = (
                    [u.split()[0] for u in value.split(",")] if "srcset" in attribute else [value]
                )
                found += [f"<{tag} {attribute}={u!r}>" for u in urls if is_remote(u)]
    for style in [s.get_text() for s in soup.find_all("style")] + [
        e["style"] for e in soup.find_all(style=True)
    ]:
        found += [f"style url({u!r})" for u in CSS_URL.findall(style) if is_remote(u)]
    return found


def remote_resources_in_css(text: str) -> list[str]:
    return [f"url({u!r})" for u in CSS_URL.findall(text) if is_remote(u)]


def test_scan_finds_remote_resources() -> None:
    page = """
    <html><head>
      <script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>
      <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">
      <style>@font-face { src: url("https://example.org/f.woff2"); }</style>
    </head><body>
      <img src="http://example.org/a.png"><iframe src="https://example.org/"></iframe>
      <img src="_images/local.png"><script src="_static/local.js"></script>
      <a href="https://neuralnetworksanddeeplearning.com/chap3.html">Nielsen</a>
    </body></html>
    """
    found = remote_resources_in_html(page)
    assert len(found) == 5, found
    assert remote_resources_in_css('a { background: url("https://x.org/i.png") }')
    assert not remote_resources_in_css('a { background: url("../img/i.png") }')


def test_built_book_loads_nothing_from_another_host(built_book: Path) -> None:
    pages = sorted(built_book.rglob("*.html"))
    assert pages
    found = {
        str(p.relative_to(built_book)): r
        for p in pages
        if (r := remote_resources_in_html(p.read_text(encoding="utf-8")))
    }
    found |= {
        str(p.relative_to(built_book)): r
        for p in built_book.rglob("*.css")
        if (r := remote_resources_in_css(p.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_math_engine_is_served_locally(built_book: Path) -> None:
    index = (built_book / "index.html").read_text(encoding="utf-8")
    scripts = [s["src"] for s in BeautifulSoup(index, "html.parser").find_all("script", src=True)]
    mathjax = [s for s in scripts if "tex-chtml.js" in s]
    assert mathjax == [s for s in mathjax if not is_remote(s)] != []
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()
    fonts = built_book / "_static" / "mathjax" / "fonts" / "mathjax-newcm-font" / "chtml"
    assert list((fonts / "woff2").glob("*.woff2"))
    assert list((fonts / "dynamic").glob("*.js"))
    # MathJax 4 looks for its fonts on a CDN unless told where they are.
    assert '"fonts": "[mathjax]/fonts"' in index


# --- The book's own directives and downloads -------------------------------------------

CITED_PAGE = """
# A page to cite

$$
a = b + c
$$ (eq-cited)

```{code-cell} ipython3
print("executed")
```

```{provenance}
```

```{cite-this}
:equation: EQUATION
```
"""


def test_cite_box_names_page_equation_version_and_build(tmp_path: Path, make, write_pages) -> None:
    import importlib.metadata

    import xentropy

    write_pages(tmp_path / "docs", {"cited": CITED_PAGE.replace("EQUATION", "eq-cited")})
    result = make(
        "html",
        f"SOURCEDIR={tmp_path / 'docs'}",
        f"BUILDDIR={tmp_path / '_build'}",
        env={"SOURCE_DATE_EPOCH": "1767225600"},  # 2026-01-01
    )
    assert result.returncode == 0, result
    html = tmp_path / "_build" / "html"
    soup = BeautifulSoup((html / "cited.html").read_text(encoding="utf-8"), "html.parser")
    box = soup.select_one(".cite-this")
    text = box.get_text(" ", strip=True)
    assert "A page to cite" in text
    assert f"version {xentropy.__version__}" in text
    assert "equation (1)" in text
    assert "2026-01-01" in text
    bibtex = box.select_one("pre").get_text()
    assert bibtex.startswith("@misc{xentropy-cited-eq-cited,")
    assert "equation (1). Built on 2026-01-01" in bibtex
    assert box.select_one('a[href="#equation-eq-cited"]') is not None
    assert "url" not in bibtex  # not hosted: no address to give
    verified = soup.select_one(".provenance").get_text(" ", strip=True)
    assert f"SymPy {importlib.metadata.version('sympy')}" in verified
    assert f"NumPy {importlib.metadata.version('numpy')}" in verified
    # The page offers its executed notebook and its MyST source for download.
    assert (html / "_sources" / "cited.ipynb").is_file()
    assert (html / "_sources" / "cited.md").is_file()
    assert soup.select_one('a[href="_sources/cited.ipynb"]') is not None
    assert "executed" in (html / "_sources" / "cited.ipynb").read_text(encoding="utf-8")


def test_cite_box_gives_the_hosted_address_of_the_equation(
    tmp_path: Path, make, write_pages
) -> None:
    write_pages(tmp_path / "docs", {"cited": CITED_PAGE.replace("EQUATION", "eq-cited")})
    result = make(
        "html",
        f"SOURCEDIR={tmp_path / 'docs'}",
        f"BUILDDIR={tmp_path / '_build'}",
        "BASEURL=https://example.org/xentropy/",
    )
    assert result.returncode == 0, result
    page = tmp_path / "_build" / "html" / "cited.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    box = soup.select_one(".cite-this")
    address = "https://example.org/xentropy/cited.html#equation-eq-cited"
    assert box.select_one(f'a[href="{address}"]') is not None
    assert f"url          = {{{address}}}," in box.select_one("pre").get_text()


def test_cite_box_for_an_unknown_equation_fails_the_build(
    tmp_path: Path, make, write_pages
) -> None:
    write_pages(tmp_path / "docs", {"cited": CITED_PAGE.replace("EQUATION", "eq-missing")})
    result = make("html", f"SOURCEDIR={tmp_path / 'docs'}", f"BUILDDIR={tmp_path / '_build'}")
    assert result.returncode != 0, result
    assert "eq-missing" in result.output


def test_every_numbered_equation_offers_its_latex_source(built_book: Path) -> None:
    counted = rows = 0
    for page in sorted(built_book.glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for number in soup.select("span.eqno"):
            equation = number.find_parent("div", class_="math")
            box = equation.find_next_sibling()
            assert box is not None, (page.name, number)
            assert box.name == "details", (page.name, number)
            assert "latex-source" in box["class"], (page.name, number)
            label = number.get_text().removesuffix("#")
            assert box.summary.get_text() == f"Show the LaTeX source of {label}"
            source = box.select_one("pre").get_text()
            assert source.startswith(r"\begin{equation}")
            if "xentropy-rows" in equation["class"]:
                # A derivation laid out as rows: each formula is TeX of the checked block.
                cells = equation.select(".xentropy-lhs, .xentropy-rhs")
                for cell in cells:
                    tex = cell.get_text().removeprefix(r"\(\displaystyle ").removesuffix(r"\)")
                    assert tex.removeprefix("{}") in source, (page.name, number, tex)
                rows += 1
            else:
                typeset = equation.get_text().replace(number.get_text(), "").strip()
                # What MathJax typesets (\[ ... \], Sphinx's wrapping) is what the box offers.
                body = typeset.removeprefix(r"\[").removesuffix(r"\]").strip()
                body = body.removeprefix(r"\begin{split}").removesuffix(r"\end{split}").strip()
                assert body in source, (page.name, number)
            counted += 1
    assert counted > 0
    assert rows > 0


def test_every_derivation_page_says_how_it_was_verified_and_how_to_cite_it(
    built_book: Path,
) -> None:
    for source in sorted((ROOT / "docs").glob("*.md")):
        # A page derives when it shows a numbered derivation: a glued equation with a label.
        text = source.read_text(encoding="utf-8")
        derives = re.search(r"^```\{glue:math\} \S+\n:label:", text, re.M) is not None
        page = built_book / f"{source.stem}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        expected = 1 if derives else 0
        assert len(soup.select(".provenance")) == expected, source.name
        assert len(soup.select(".cite-this")) == expected, source.name
