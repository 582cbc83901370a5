"""The model and the book's derivations: σ is the logistic function, the results are right, and
every derivation the book shows rejects a wrong step."""

from __future__ import annotations

import functools
import random

import mpmath
import pytest
import sympy as sp

from xentropy import models as M
from xentropy.derivation import PROVEN, Derivation, StepError, evaluate, expand_definitions

t = sp.Symbol("t", real=True)


@functools.cache
def built(name: str) -> Derivation:
    """Each derivation is built (and so checked) once for the whole module."""
    return M.DERIVATIONS[name][1]()


# -- σ ------------------------------------------------------------------------------------------


def test_the_declared_derivative_of_sigma_is_that_of_the_logistic_function() -> None:
    declared = sp.diff(M.sigma(t), t).rewrite(sp.exp)
    assert sp.simplify(declared - sp.diff(1 / (1 + sp.exp(-t)), t)) == 0


def test_sigma_is_the_logistic_function_numerically() -> None:
    with mpmath.workdps(45):
        for value in ["-30", "-1.5", "0", "0.25", "40"]:
            expected = 1 / (1 + mpmath.exp(-mpmath.mpf(value)))
            got = M.sigma(sp.Float(value, 45)).evalf(45)
            assert abs(got - sp.Float(expected, 45)) <= sp.Float("1e-40", 45) * abs(got)


def test_sigma_of_a_real_is_real_and_positive() -> None:
    assert M.sigma(t).is_real
    assert M.sigma(t).is_positive
    assert M.sigma(sp.Symbol("c")).is_positive is None  # not for a complex argument


def test_sigma_prints_as_the_book_writes_it() -> None:
    assert sp.latex(M.sigma(t)) == r"\sigma(t)"
    assert sp.latex(M.sigma(t) ** 2) == r"\sigma(t)^{2}"
    assert sp.latex(M.sigma(t / 2)) == r"\sigma\left(\frac{t}{2}\right)"
    assert str(M.sigma(t)) == "σ(t)"


def test_sigma_prime_is_unevaluated_until_asked() -> None:
    s = M.sigma_prime(t)
    assert isinstance(s, sp.Subs)
    assert sp.simplify(s.doit() - M.sigma(t) * (1 - M.sigma(t))) == 0


# -- the main results, checked without the derivations ------------------------------------------


def _by_definition(expr: sp.Basic) -> sp.Basic:
    return evaluate(expand_definitions(expr, M.DEFINITIONS))


def test_the_gradient_is_the_mean_of_x_j_times_the_residual() -> None:
    # Differentiate C straight from its definition and compare with the book's formula.
    direct = _by_definition(sp.Derivative(M.C, M.w[M.j]))
    formula = sp.Sum(M.x[M.i, M.j] * (M.sigma(M.z[M.i]) - M.y[M.i]), (M.i, 1, M.n)) / M.n
    assert sp.simplify(direct - _by_definition(formula)) == 0
    assert sp.simplify(_by_definition(built("dC-dw").result - formula)) == 0


def test_the_bias_derivative_is_the_mean_residual() -> None:
    direct = _by_definition(sp.Derivative(M.C, M.b))
    formula = sp.Sum(M.sigma(M.z[M.i]) - M.y[M.i], (M.i, 1, M.n)) / M.n
    assert sp.simplify(direct - _by_definition(formula)) == 0
    assert sp.simplify(_by_definition(built("dC-db").result - formula)) == 0


def _cost(X: list[list[mpmath.mpf]], y: list[mpmath.mpf], w: list, b: mpmath.mpf) -> mpmath.mpf:
    total = mpmath.mpf(0)
    for row, label in zip(X, y, strict=True):
        a = 1 / (1 + mpmath.exp(-(mpmath.fsum(p * q for p, q in zip(w, row, strict=True)) + b)))
        total += -(label * mpmath.log(a) + (1 - label) * mpmath.log(1 - a))
    return total / len(X)


def test_the_derived_gradient_matches_finite_differences_of_the_cost() -> None:
    # Independent of SymPy's differentiation: central differences at 40 digits.
    n, k = 4, 3
    rng = random.Random(3)
    with mpmath.workdps(40):
        X = [[mpmath.mpf(rng.uniform(-2, 2)) for _ in range(k)] for _ in range(n)]
        y = [mpmath.mpf(rng.choice([0, 1, 0.3])) for _ in range(n)]
        w = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(k)]
        b = mpmath.mpf(rng.uniform(-1, 1))
        values = {M.b: b, M.n: n, M.k: k}
        values |= {M.x[r + 1, c + 1]: X[r][c] for r in range(n) for c in range(k)}
        values |= {M.y[r + 1]: y[r] for r in range(n)} | {M.w[c + 1]: w[c] for c in range(k)}
        h = mpmath.mpf("1e-12")
        derived = expand_definitions(built("dC-dw").result, M.DEFINITIONS)
        for feature in range(1, k + 1):
            concrete = evaluate(derived.xreplace({M.j: feature, M.n: n, M.k: k}))
            got = concrete.rewrite(sp.exp).evalf(40, subs=values)
            up, down = list(w), list(w)
            up[feature - 1] += h
            down[feature - 1] -= h
            expected = (_cost(X, y, up, b) - _cost(X, y, down, b)) / (2 * h)
            assert abs(got - sp.Float(expected, 40)) < 1e-20


# -- every derivation in the book ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(M.DERIVATIONS))
def test_every_registered_derivation_is_proven_exactly(name: str) -> None:
    description, _ = M.DERIVATIONS[name]
    d = built(name)
    assert isinstance(d, Derivation)
    assert description
    assert d.label == name
    assert all(s.verified == PROVEN for s in d.steps)
    tex = d.latex()
    for s in d.steps:
        assert s.reason.replace("%", r"\%") in tex


sigma_z = M.sigma(M.z[M.i])
x_ij, y_i, i, n = M.x[M.i, M.j], M.y[M.i], M.i, M.n

WRONG_STEPS = {
    "sign flipped": ("dCx-dw", 4, x_ij * (y_i - sigma_z)),
    "x_j missing": (
        "dCx-dw",
        1,
        -(y_i / M.a[i] - (1 - y_i) / (1 - M.a[i])) * M.sigma_prime(M.z[i]),
    ),
    "the bias derivative given for w_j": ("dCx-dw", 4, sigma_z - y_i),
    "sigma' forgotten": ("dCx-dw", 2, -(y_i / sigma_z - (1 - y_i) / (1 - sigma_z)) * x_ij),
    "1/n dropped": ("dC-dw", 2, sp.Sum(x_ij * (sigma_z - y_i), (i, 1, n))),
    "x_ij missing in the sum": ("dC-dw", 2, sp.Sum(sigma_z - y_i, (i, 1, n)) / n),
    "the weight gradient given for b": ("dC-db", 2, sp.Sum(x_ij * (sigma_z - y_i), (i, 1, n)) / n),
    "sign flipped in the matrix form": (
        "gradient-matrix-form",
        1,
        sp.Matrix([sp.Sum(M.x[i, c] * (y_i - sigma_z), (i, 1, n)) / n for c in (1, 2)]),
    ),
    "wrong partial fractions": ("cross-entropy-from-gradient", 2, -y_i / M.a[i] + 1 / (1 - M.a[i])),
}


@pytest.mark.parametrize("case", sorted(WRONG_STEPS))
def test_a_wrong_step_in_a_book_derivation_raises_step_error_naming_it(case: str) -> None:
    name, number, wrong = WRONG_STEPS[case]
    d = built(name)
    reason = next(s.reason for s in d.steps if s.number == number)
    with pytest.raises(StepError) as caught:
        d.with_step(number, wrong)
    message = str(caught.value)
    assert message.startswith(f"derivation {name!r}, step {number} ({reason}):")
    assert sp.sstr(wrong) in message


def test_the_unchanged_derivations_rebuild_without_error() -> None:
    # the helper above is not what makes the wrong steps fail
    for name in M.DERIVATIONS:
        d = built(name)
        last = max(s.number for s in d.steps)
        d.with_step(last, d.result)


def test_nielsen_notation_leaves_the_example_index_out() -> None:
    from xentropy.derivation import to_latex

    tex = to_latex(built("dC-dw").result, implicit_index=M.NIELSEN)
    assert tex == r"\frac{1}{n} \sum_{x} x_{j} \left(\sigma(z) - y\right)"
    tex = to_latex(built("dC-dw").result)
    assert tex == r"\frac{1}{n} \sum_{i=1}^{n} x_{ij} \left(\sigma(z_{i}) - y_{i}\right)"
