"""Backpropagation through sigmoid layers: the derivations are right and reject a wrong step."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from xentropy import notation
from xentropy.derivation import PROVEN
from xentropy.derivation import StepError
from xentropy.derivation import evaluate
from xentropy.derivation import expand_definitions
from xentropy.expressions import sigma
from xentropy.expressions import sigma_prime
from xentropy.symbolic import network as L

c, u = notation.c, notation.u
a_out, y, delta_out = notation.a_out, notation.y_out, notation.delta_out
w_out, z_hidden = notation.w_out, notation.z_hidden


@pytest.mark.parametrize(("n_out", "n_hidden"), [(1, 1), (1, 2), (3, 2)])
def test_the_hidden_layer_step_is_proven_for_other_sizes(n_out: int, n_hidden: int) -> None:
    d = L.hidden_error(n_out, n_hidden)
    assert all(s.verified == PROVEN for s in d.steps)
    assert d.steps[-1].expr.shape == (n_hidden, 1)


# -- the results, checked without the derivations -----------------------------------------------


def test_the_output_error_is_a_minus_y_by_direct_differentiation(built) -> None:
    where = (L.DEFINITIONS[0], L.DEFINITIONS[2])
    direct = evaluate(expand_definitions(sp.Derivative(notation.C_one, notation.z_out[c]), where))
    formula = evaluate(expand_definitions(a_out[c] - y[c], where))
    assert sp.simplify(direct - formula) == 0
    assert sp.simplify(built("output-error").result - (a_out[c] - y[c])) == 0


def test_the_output_gradients_are_the_known_formulas(built) -> None:
    expected = notation.a_hidden[u] * (a_out[c] - y[c])
    assert sp.simplify(built("output-weight-gradient").result - expected) == 0
    assert sp.simplify(built("output-bias-gradient").result - (a_out[c] - y[c])) == 0


def _network_cost(z_hidden: list, W: list[list], b: list, labels: list) -> mpmath.mpf:
    hidden = [1 / (1 + mpmath.exp(-v)) for v in z_hidden]
    total = mpmath.mpf(0)
    for row, bias, label in zip(W, b, labels, strict=True):
        out = 1 / (
            1 + mpmath.exp(-(mpmath.fsum(p * q for p, q in zip(row, hidden, strict=True)) + bias))
        )
        total -= label * mpmath.log(out) + (1 - label) * mpmath.log(1 - out)
    return total


def test_the_hidden_error_matches_finite_differences_at_40_digits() -> None:
    # Independent of SymPy: the cost of the last two layers in mpmath, differentiated by
    # central differences in each z^{L-1}_u, against ((w^L)^T (a^L - y)) ⊙ σ'(z^{L-1}).
    n_out, n_hidden = 3, 2
    rng = random.Random(5)
    with mpmath.workdps(40):
        zs = [mpmath.mpf(rng.uniform(-2, 2)) for _ in range(n_hidden)]
        W = [[mpmath.mpf(rng.uniform(-1, 1)) for _ in range(n_hidden)] for _ in range(n_out)]
        b = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(n_out)]
        labels = [mpmath.mpf(rng.choice([0, 1, 0.25])) for _ in range(n_out)]
        # The sizes are part of the quantities' declared shapes: sized as the formula is.
        sizes = {notation.K: n_out, notation.H: n_hidden}
        z_, w_, b_, y_ = (base.xreplace(sizes) for base in (z_hidden, w_out, notation.b_out, y))
        values = {z_[h + 1]: zs[h] for h in range(n_hidden)}
        values |= {w_[r + 1, s + 1]: W[r][s] for r in range(n_out) for s in range(n_hidden)}
        values |= {b_[r + 1]: b[r] for r in range(n_out)}
        values |= {y_[r + 1]: labels[r] for r in range(n_out)}
        d = L.hidden_error(n_out, n_hidden)
        formula = evaluate(expand_definitions(d.result, d.where))
        h = mpmath.mpf("1e-15")
        for s in range(n_hidden):
            up, down = list(zs), list(zs)
            up[s] += h
            down[s] -= h
            slope = (_network_cost(up, W, b, labels) - _network_cost(down, W, b, labels)) / (2 * h)
            got = formula[s].rewrite(sp.exp).evalf(40, subs=values)
            assert abs(got - sp.Float(slope, 40)) < 1e-25


# -- a wrong step is caught ---------------------------------------------------------------------

a_j = a_out[c]
WRONG_STEPS = {
    "sign flipped": ("output-error", 3, y[c] - a_j),
    "sigma' forgotten": (
        "output-error",
        1,
        -(y[c] / a_j - (1 - y[c]) / (1 - a_j)),
    ),
    "the quadratic cost's error, with sigma' kept": (
        "output-error",
        3,
        (a_j - y[c]) * a_j * (1 - a_j),
    ),
    "a^{L-1}_k missing": ("output-weight-gradient", 1, a_j - y[c]),
    "the bias given the weight's gradient": (
        "output-bias-gradient",
        1,
        notation.a_hidden[u] * (a_j - y[c]),
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_STEPS))
def test_a_wrong_step_raises_step_error_naming_it(case: str, rejects) -> None:
    rejects(*WRONG_STEPS[case])


def _hidden_wrong(n: int, last: sp.Basic) -> None:
    d = L.hidden_error(n, n)
    d.with_step(2, last)


def test_a_transposed_weight_or_a_missing_sigma_prime_in_the_hidden_step_is_caught() -> None:
    n = 2  # square, so that the transposed product has the right shape
    W = sp.MatrixSymbol("w^L", n, n)
    delta = sp.MatrixSymbol(r"\delta^L", n, 1)
    slopes = sp.MatrixSymbol(r"\sigma'(z^{L-1})", n, 1)
    _hidden_wrong(n, sp.HadamardProduct(W.T * delta, slopes))  # the right one passes
    for wrong in (sp.HadamardProduct(W * delta, slopes), W.T * delta):
        with pytest.raises(StepError, match=r"^derivation 'hidden-error', step 2 "):
            _hidden_wrong(n, wrong)


def test_a_wrong_chain_rule_in_the_hidden_step_is_caught(built) -> None:
    d = built("hidden-error")
    wrong = sp.Matrix(
        [
            (w_out[1, h] * delta_out[1] + w_out[2, h] * delta_out[2]) * sigma(z_hidden[h])
            for h in (1, 2, 3)
        ]
    )
    with pytest.raises(StepError, match=r"^derivation 'hidden-error', step 1 "):
        d.with_step(1, wrong)
    right = sp.Matrix(
        [
            (w_out[1, h] * delta_out[1] + w_out[2, h] * delta_out[2]) * sigma_prime(z_hidden[h])
            for h in (1, 2, 3)
        ]
    )
    d.with_step(1, right)
