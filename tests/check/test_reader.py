"""One side of an equation, read from LaTeX in the book's notation: what each form means, and
errors that name the line, the column, the token and what was expected."""

from __future__ import annotations

import pytest
import sympy as sp

from xentropy.check.reader import ReadError
from xentropy.check.reader import ShapeMismatch
from xentropy.check.reader import read
from xentropy.check.report import vocabulary_for
from xentropy.check.vocabulary import nielsen
from xentropy.expressions import sigma
from xentropy.expressions import sigma_prime
from xentropy.notation import C
from xentropy.notation import C_x
from xentropy.notation import a
from xentropy.notation import b
from xentropy.notation import i
from xentropy.notation import j
from xentropy.notation import k
from xentropy.notation import m
from xentropy.notation import n
from xentropy.notation import w
from xentropy.notation import x
from xentropy.notation import y
from xentropy.notation import z

NIELSEN = nielsen()


def reads(tex: str) -> sp.Basic:
    return read(tex, NIELSEN)


@pytest.mark.parametrize(
    ("tex", "meant"),
    [
        (r"x_j", x[i, j]),
        (r"x^{(i)}_j", x[i, j]),
        (r"x_j^{(i)}", x[i, j]),
        (r"x_{ij}", x[i, j]),
        (r"C_{x^{(i)}}", C_x[i]),
        (r"z^{(i)}", z[i]),
        (r"z_i", z[i]),
        (r"x^{(2)}_1", x[2, 1]),
        (r"C_{x_i}", C_x[i]),
        (r"C_x", C_x[i]),
        (r"w_k", w[k]),
        (r"\sigma(z)", sigma(z[i])),
        (r"\sigma'(z)", sigma_prime(z[i])),
        (r"\sigma^{\prime}(z_i)", sigma_prime(z[i])),
        (r"\ln a", sp.log(a[i])),
        (r"\log(1 - a)", sp.log(1 - a[i])),
        (r"\ln{\left(a \right)}", sp.log(a[i])),
        (r"\ln\sigma(z)", sp.log(sigma(z[i]))),
        (r"e^{-z}", sp.exp(-z[i])),
        (r"\exp(-z)", sp.exp(-z[i])),
        (r"w_m^2", w[m] ** 2),
        (r"\left(1 - a\right)^{2}", (1 - a[i]) ** 2),
        (r"\frac{1}{n}", 1 / n),
        (r"\tfrac12", None),
        (r"a / n", a[i] / n),
        (r"y \cdot a", y[i] * a[i]),
        (r"-\left(y - a\right)", a[i] - y[i]),
        (r"\frac{\partial C}{\partial w_j}", sp.Derivative(C, w[j])),
        (r"\partial C_x / \partial b", sp.Derivative(C_x[i], b)),
        (r"\frac{\partial}{\partial b}\left(z\right)", sp.Derivative(z[i], b)),
        (r"\frac{\partial^2 C}{\partial b^2}", sp.Derivative(C, (b, 2))),
        (r"\sum_x C_x", sp.Sum(C_x[i], (i, 1, n))),
        (r"\sum_{i=1}^{n} C_{x_i}", sp.Sum(C_x[i], (i, 1, n))),
        (r"\sum\limits_{m=1}^k w_m x_m", sp.Sum(w[m] * x[i, m], (m, 1, k))),
        (r"\frac{1}{n}\sum_x - y", sp.Sum(-y[i], (i, 1, n)) / n),
        (r"\sum_x y - a", sp.Sum(y[i], (i, 1, n)) - a[i]),
    ],
)
def test_what_a_form_means(tex: str, meant: sp.Basic | None) -> None:
    if meant is None:  # \tfrac12: LaTeX's shorthand is not read, and says so
        with pytest.raises(ReadError, match="expected"):
            reads(tex)
        return
    assert reads(tex) == meant


def test_a_sum_takes_the_rest_of_the_product_and_a_derivative_too() -> None:
    expected = sp.Sum(x[i, j] * (sigma(z[i]) - y[i]), (i, 1, n)) / n
    assert reads(r"\frac{1}{n}\sum_x x_j\left(\sigma(z) - y\right)") == expected
    operator = reads(r"\frac{\partial}{\partial w_j} \frac{1}{n} \sum_x C_x")
    assert operator == sp.Derivative(sp.Sum(C_x[i], (i, 1, n)) / n, w[j])


def test_a_column_a_transpose_and_an_entrywise_product_in_a_derivations_notation() -> None:
    matrices = vocabulary_for("hidden-error")
    value = read(r"\left(\left(w^{L}\right)^{T} \delta^{L}\right) \circ \sigma'(z^{L-1})", matrices)
    assert isinstance(value, sp.MatrixExpr)
    column = read(r"\left[\begin{matrix} a^{L}_{1} \\ a^{L}_{2} \end{matrix}\right]", matrices)
    assert column.shape == (2, 1)


def test_matrices_that_do_not_fit_are_a_wrong_line_not_unreadable() -> None:
    with pytest.raises(ShapeMismatch):
        read(r"\mathbf{w}^T X", vocabulary_for("gradient-matrix-form"))


@pytest.mark.parametrize(
    ("tex", "column", "token", "expected"),
    [
        (r"x_j (\sigma(z) - y", 19, "the end of the line", "expected one of: ), +, -"),
        (r"a + ) b", 5, ")", "expected"),
        (r"W x", 1, "W", "a symbol of Nielsen's one-neuron notation, such as x_{j}"),
        (r"x_q", 1, "x_q", "such as x_{j}"),
        (r"\sum_q x_q", 6, "q", "an index of the notation: i, j, m, x"),
        (r"\frac{1}{n}\sum_x", 1, r"\frac{1}{n}\sum_x", "needs something after it"),
        (r"\ln'(a)", 4, "'", "only \\sigma' is known"),
        (r"a ? b", 3, "?", "expected"),
    ],
)
def test_an_error_names_the_column_the_token_and_what_was_expected(
    tex: str, column: int, token: str, expected: str
) -> None:
    with pytest.raises(ReadError) as caught:
        read(tex, NIELSEN, line=7, column=1)
    error = caught.value
    assert (error.line, error.column, error.token) == (7, column, token)
    assert expected in error.expected
    assert str(error).startswith(f"line 7, column {column}: cannot read {token!r}; ")


def test_positions_count_from_where_the_side_starts_in_its_file() -> None:
    with pytest.raises(ReadError) as caught:
        read("a +\n  W", NIELSEN, line=10, column=5)
    assert (caught.value.line, caught.value.column) == (11, 3)


def test_an_iverson_bracket_reads_as_the_kronecker_delta() -> None:
    from xentropy.notation import c
    from xentropy.notation import d

    softmax = vocabulary_for("log-softmax-derivative")
    assert read("[c = d]", softmax) == sp.KroneckerDelta(c, d)
