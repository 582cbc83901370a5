"""python -m xentropy: list the derivations, print each as LaTeX that TeX itself accepts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from xentropy.cli import latex_document_fragment
from xentropy.cli import main
from xentropy.symbolic import catalog

DERIVATIONS = catalog.derivations()


@pytest.fixture
def tex(require_tools: Callable[..., None]) -> None:
    require_tools("pdflatex", purpose="parsing the derivations' LaTeX with TeX")


def tex_accepts(fragment: str, folder: Path) -> subprocess.CompletedProcess:
    """Typeset ``fragment`` in a minimal amsmath document with pdflatex, stopping at any error."""
    document = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{amsmath}",
            r"\begin{document}",
            fragment,
            r"\end{document}",
        ]
    )
    (folder / "fragment.tex").write_text(document, encoding="utf-8")
    return subprocess.run(
        ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "fragment.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_list_prints_every_derivation_name_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(DERIVATIONS)
    for line, entry in zip(lines, DERIVATIONS.values(), strict=True):
        assert line.endswith(entry.description)


def test_unknown_name_is_an_error_listing_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["latex", "dC-dW"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no derivation named 'dC-dW'" in captured.err
    assert all(name in captured.err for name in DERIVATIONS)


def test_module_runs_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xentropy", "latex", "dCx-db"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert r"\label{eq:xentropy-dCx-db}" in result.stdout


@pytest.fixture
def built_once(built, monkeypatch):
    """The command line builds its derivation again; in-process tests take the session's build
    (test_module_runs_as_a_program runs one build of its own, as a reader would)."""
    monkeypatch.setattr(catalog, "build", built)


@pytest.mark.usefixtures("built_once")
@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_latex_is_the_books_block_in_an_equation(name: str, built) -> None:
    fragment = latex_document_fragment(name)
    assert built(name).latex() in fragment
    assert fragment.count(r"\begin{equation}") == fragment.count(r"\end{equation}") == 1


@pytest.mark.tex
@pytest.mark.usefixtures("tex", "built_once")
@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_tex_accepts_every_derivation(name: str, tmp_path: Path) -> None:
    result = tex_accepts(latex_document_fragment(name), tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.tex
@pytest.mark.usefixtures("tex")
def test_tex_check_rejects_broken_latex(tmp_path: Path) -> None:
    broken = latex_document_fragment("dCx-db").replace(r"\end{aligned}", "", 1)
    assert tex_accepts(broken, tmp_path).returncode != 0
