"""check_latex from Python: a report that prints one line a step and knows its exit status, for
LaTeX and Markdown, in Nielsen's notation or a derivation's own."""

from __future__ import annotations

import sys

import pytest

import xentropy
from xentropy.check import ReadError
from xentropy.check import check_latex

RIGHT = r"""
\begin{align}
\frac{\partial C_x}{\partial b} &= \frac{\partial C_x}{\partial z} \\
  &= \sigma(z) - y
\end{align}
"""


def test_a_report_prints_each_step_and_a_summary() -> None:
    report = check_latex(RIGHT)
    assert report.ok
    assert report.exit_code == 0
    assert [s.verdict for s in report.steps] == ["proven", "proven"]
    assert str(report).splitlines() == [
        "Read in Nielsen's one-neuron notation.",
        r"line 3, step 1: proven: = \frac{\partial C_x}{\partial z}",
        r"line 4, step 2: proven: = \sigma(z) - y",
        "2 steps: 2 proven, 0 checked numerically, 0 wrong",
    ]


def test_a_wrong_step_makes_the_exit_status_1() -> None:
    report = check_latex(RIGHT.replace(r"\sigma(z) - y", r"y - \sigma(z)"))
    assert not report.ok
    assert report.exit_code == 1
    wrong = report.first_wrong()
    assert wrong is not None
    assert (wrong.number, wrong.line, wrong.previous, wrong.new) == (
        2,
        4,
        r"\frac{\partial C_x}{\partial z}",
        r"y - \sigma(z)",
    )
    assert wrong.hint is not None
    assert "sign" in wrong.hint


def test_a_step_checked_numerically_says_why() -> None:
    # every step of the book is proven exactly; combining logarithms is one SymPy leaves alone
    # (ln y − ln(1 − y) = ln(y/(1 − y)) needs 0 < y < 1, where the checker draws the labels)
    report = check_latex(r"$$\ln y - \ln(1 - y) = \ln\left(\frac{y}{1 - y}\right)$$")
    numerical = [s for s in report.steps if s.verdict == "checked numerically"]
    assert numerical
    assert "SymPy could not simplify the difference to 0" in "\n".join(numerical[0].lines())


def test_notebooks_show_the_report_as_print_does() -> None:
    report = check_latex(RIGHT)
    shown: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            shown.append(value)

    report._repr_pretty_(Printer(), cycle=False)
    assert shown == [str(report)]


def test_nothing_to_check_is_unreadable() -> None:
    with pytest.raises(ReadError, match="expected a display"):
        check_latex("Only prose, $x$ inline.")


def test_a_line_that_continues_nothing_is_unreadable() -> None:
    with pytest.raises(ReadError, match="expected a left-hand side first"):
        check_latex(r"$$ = a $$")


def test_the_package_offers_it_without_importing_sympy_until_called() -> None:
    assert xentropy.check_latex(RIGHT).ok
    assert "check_latex" in xentropy.__all__
    assert "sympy" in sys.modules  # imported by the call, not by `import xentropy` (see
    # tests/test_architecture.py, which imports the package in a fresh interpreter)
