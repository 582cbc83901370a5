"""The book's LaTeX printer: indices, sums and derivatives as a reader of Nielsen writes them."""

from __future__ import annotations

import re

import sympy as sp

from xentropy.latex import definitions_latex
from xentropy.latex import reason_tex
from xentropy.latex import to_latex

t = sp.Symbol("t", real=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
i, j = sp.Idx("i", (1, n)), sp.Idx("j", (1, k))
X, W = sp.IndexedBase("x", real=True), sp.IndexedBase("w", real=True)
C = sp.Symbol("C", real=True)


def test_indices_print_as_their_names_and_can_be_left_out() -> None:
    expr = sp.Sum(X[i, j] * W[j], (i, 1, n)) / n
    assert to_latex(expr) == r"\frac{1}{n} \sum_{i=1}^{n} w_{j} x_{ij}"
    assert to_latex(expr, implicit_index=(i, "x")) == r"\frac{1}{n} \sum_{x} w_{j} x_{j}"


def test_derivatives_print_with_partial() -> None:
    assert to_latex(sp.Derivative(C, W[j])) == r"\frac{\partial C}{\partial w_{j}}"
    assert re.fullmatch(
        r"\\frac\{\\partial\}\{\\partial t\}\\left\(.*\\right\)",
        to_latex(sp.Derivative(t**3, t)),
    )


def test_a_cost_indexed_by_the_example_prints_as_the_cost_of_that_input() -> None:
    C_x = sp.IndexedBase("C_x", real=True)
    assert to_latex(C_x[i]) == "C_{x_{i}}"
    assert to_latex(C_x[i], implicit_index=(i, "x")) == "C_{x}"


def test_a_reason_is_text_with_its_math_kept_and_its_verdict_said() -> None:
    assert reason_tex("50% & #1 of $a_j$", "proven") == r"\text{50\% \& \#1 of $a_j$}"
    assert reason_tex("sum rule", "checked numerically") == (
        r"\text{sum rule (checked numerically)}"
    )


def test_definitions_are_one_aligned_line_each() -> None:
    a, z = sp.symbols("a z", real=True)
    assert definitions_latex([(a, sp.exp(z)), (z, t)]) == (
        "\\begin{aligned}\na &= e^{z} \\\\\nz &= t\n\\end{aligned}"
    )
