"""σ, σ′ and the unevaluated products, sums and negations the derivations are written with."""

from __future__ import annotations

import mpmath
import sympy as sp

from xentropy.expressions import add
from xentropy.expressions import mul
from xentropy.expressions import neg
from xentropy.expressions import sigma
from xentropy.expressions import sigma_prime
from xentropy.latex import to_latex

t = sp.Symbol("t", real=True)


# -- σ and σ′ ----------------------------------------------------------------------------------


def test_the_declared_derivative_of_sigma_is_that_of_the_logistic_function() -> None:
    declared = sp.diff(sigma(t), t).rewrite(sp.exp)
    assert sp.simplify(declared - sp.diff(1 / (1 + sp.exp(-t)), t)) == 0


def test_sigma_is_the_logistic_function_numerically() -> None:
    with mpmath.workdps(45):
        for value in ["-30", "-1.5", "0", "0.25", "40"]:
            expected = 1 / (1 + mpmath.exp(-mpmath.mpf(value)))
            got = sigma(sp.Float(value, 45)).evalf(45)
            assert abs(got - sp.Float(expected, 45)) <= sp.Float("1e-40", 45) * abs(got)


def test_sigma_of_a_real_is_real_and_positive() -> None:
    assert sigma(t).is_real
    assert sigma(t).is_positive
    assert sigma(sp.Symbol("c")).is_positive is None  # not for a complex argument


def test_sigma_prints_as_the_book_writes_it() -> None:
    assert sp.latex(sigma(t)) == r"\sigma(t)"
    assert sp.latex(sigma(t) ** 2) == r"\sigma(t)^{2}"
    assert sp.latex(sigma(t / 2)) == r"\sigma\left(\frac{t}{2}\right)"
    assert str(sigma(t)) == "σ(t)"


def test_sigma_prime_is_unevaluated_until_asked() -> None:
    s = sigma_prime(t)
    assert isinstance(s, sp.Subs)
    assert sp.simplify(s.doit() - sigma(t) * (1 - sigma(t))) == 0


# -- products, sums and negations as written -----------------------------------------------


def test_products_and_sums_keep_the_order_they_were_written_in() -> None:
    x, y = sp.symbols("x y", real=True)
    assert to_latex(mul(y, x)) == "y x"
    assert to_latex(add(y, x)) == "y + x"
    # SymPy's own order, for contrast: what the derivations would show without them
    assert to_latex(y * x) == "x y"
    assert to_latex(y + x) == "x + y"


def test_a_negated_sum_keeps_its_bracket_and_a_negated_sigma_sum_its_minus() -> None:
    x, y = sp.symbols("x y", real=True)
    i = sp.Idx("i", (1, 3))
    u = sp.IndexedBase("u")
    assert to_latex(neg(add(x, y))) == r"- \left(x + y\right)"
    assert to_latex(neg(sp.Sum(u[i], (i, 1, 3)))) == r"- \sum_{i=1}^{3} u_{i}"
    assert sp.simplify(neg(add(x, y)).doit() + x + y) == 0
