"""The other costs: each result is the known formula, checked without the derivation that gives
it, and every derivation rejects a wrong step."""

from __future__ import annotations

import functools
import random

import mpmath
import pytest
import sympy as sp

from xentropy import costs as Q
from xentropy import models as M
from xentropy.derivation import PROVEN, Derivation, StepError, evaluate, expand_definitions

i, j, n, k = M.i, M.j, M.n, M.k
x_ij, y_i, a_i, z_i, w_j = M.x[i, j], M.y[i], M.a[i], M.z[i], M.w[j]
sigma_z = M.sigma(z_i)
sigma_prime_z = sigma_z * (1 - sigma_z)


@functools.cache
def built(name: str) -> Derivation:
    """Each derivation is built (and so checked) once for the whole module."""
    return Q.DERIVATIONS[name][1]()


def by_definition(expr: sp.Basic, where) -> sp.Basic:
    return evaluate(expand_definitions(expr, where))


def assert_same(left: sp.Basic, right: sp.Basic, where) -> None:
    difference = by_definition(left, where) - by_definition(right, where)
    assert sp.simplify(difference.rewrite(sp.exp)) == 0


# -- the results, checked straight from the definitions ----------------------------------------


def test_the_quadratic_cost_keeps_sigma_prime_in_the_weight_gradient() -> None:
    # Nielsen's (a - y) σ'(z) x, differentiated from the definition of Q_x
    formula = (a_i - y_i) * sigma_prime_z * x_ij
    assert_same(sp.Derivative(Q.Q_x[i], w_j), formula, Q.QUADRATIC_DEFINITIONS)
    assert_same(built("dQx-dw").result, formula, Q.QUADRATIC_DEFINITIONS)


def test_the_quadratic_gradient_is_sigma_prime_times_the_cross_entropy_gradient() -> None:
    cross_entropy = M.dC_dw_single_example().result
    ratio = sp.simplify(built("dQx-dw").result.doit() / cross_entropy)
    assert sp.simplify(ratio - sigma_prime_z) == 0
    ratio = sp.simplify(built("dQx-db").result.doit() / M.dC_db_single_example().result)
    assert sp.simplify(ratio - sigma_prime_z) == 0


def test_the_quadratic_bias_gradient() -> None:
    formula = (a_i - y_i) * sigma_prime_z
    assert_same(sp.Derivative(Q.Q_x[i], M.b), formula, Q.QUADRATIC_DEFINITIONS)
    assert_same(built("dQx-db").result, formula, Q.QUADRATIC_DEFINITIONS)


def test_the_mean_quadratic_gradient() -> None:
    weight = sp.Sum(x_ij * (sigma_z - y_i) * sigma_prime_z, (i, 1, n)) / n
    bias = sp.Sum((sigma_z - y_i) * sigma_prime_z, (i, 1, n)) / n
    for lhs, name, formula in [(w_j, "dQ-dw", weight), (M.b, "dQ-db", bias)]:
        assert_same(sp.Derivative(Q.Q, lhs), formula, Q.QUADRATIC_DEFINITIONS)
        assert_same(built(name).result, formula, Q.QUADRATIC_DEFINITIONS)


def _quadratic_cost(X, y, w, b):
    total = mpmath.mpf(0)
    for row, label in zip(X, y, strict=True):
        a = 1 / (1 + mpmath.exp(-(mpmath.fsum(p * q for p, q in zip(w, row, strict=True)) + b)))
        total += (label - a) ** 2 / 2
    return total / len(X)


def test_the_mean_quadratic_gradient_matches_finite_differences_of_the_cost() -> None:
    # Independent of SymPy's differentiation: central differences at 40 digits.
    rows, features = 4, 2
    rng = random.Random(5)
    with mpmath.workdps(40):
        X = [[mpmath.mpf(rng.uniform(-2, 2)) for _ in range(features)] for _ in range(rows)]
        y = [mpmath.mpf(rng.choice([0, 1, 0.3])) for _ in range(rows)]
        w = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(features)]
        b = mpmath.mpf(rng.uniform(-1, 1))
        values = {M.b: b}
        values |= {M.x[r + 1, c + 1]: X[r][c] for r in range(rows) for c in range(features)}
        values |= {M.y[r + 1]: y[r] for r in range(rows)}
        values |= {M.w[c + 1]: w[c] for c in range(features)}
        h = mpmath.mpf("1e-12")
        derived = expand_definitions(built("dQ-dw").result, Q.QUADRATIC_DEFINITIONS)
        for feature in range(1, features + 1):
            concrete = evaluate(derived.xreplace({j: feature, n: rows, k: features}))
            got = concrete.rewrite(sp.exp).evalf(40, subs=values)
            up, down = list(w), list(w)
            up[feature - 1] += h
            down[feature - 1] -= h
            expected = (_quadratic_cost(X, y, up, b) - _quadratic_cost(X, y, down, b)) / (2 * h)
            assert abs(got - sp.Float(expected, 40)) < 1e-20


def test_sigma_prime_is_at_most_a_quarter_and_reaches_it_at_zero() -> None:
    assert built("sigma-prime-bound").result.subs(sigma_z, sp.Rational(1, 2)) == sp.Rational(1, 4)
    t = sp.Symbol("t", real=True)
    derivative = sp.diff(1 / (1 + sp.exp(-t)), t)
    for value in [-40, -3, sp.Rational(-1, 2), sp.Rational(1, 4), 2, 40]:
        assert derivative.subs(t, value).evalf(30) < sp.Rational(1, 4)
    assert sp.simplify(derivative.subs(t, 0)) == sp.Rational(1, 4)


def test_regularization_adds_lambda_over_n_times_w_j_to_the_weight_gradient() -> None:
    formula = M.dC_dw().result + Q.lam / n * w_j
    assert_same(sp.Derivative(M.C, w_j), formula, Q.REGULARIZED_DEFINITIONS)
    assert_same(built("dC-dw-L2").result, formula, Q.REGULARIZED_DEFINITIONS)


def test_regularization_leaves_the_bias_gradient_unchanged() -> None:
    assert_same(sp.Derivative(M.C, M.b), M.dC_db().result, Q.REGULARIZED_DEFINITIONS)
    assert_same(built("dC-db-L2").result, M.dC_db().result, Q.REGULARIZED_DEFINITIONS)


def test_regularization_is_the_cross_entropy_when_lambda_is_zero() -> None:
    regularized = dict(Q.REGULARIZED_DEFINITIONS)[M.C].subs(Q.lam, 0)
    assert regularized == Q.C_0
    assert dict(Q.REGULARIZED_DEFINITIONS)[Q.C_0] == dict(M.DEFINITIONS)[M.C]


def test_weight_decay_shrinks_the_weight_before_the_step() -> None:
    eta, lam = Q.eta, Q.lam
    gradient_0 = sp.Derivative(Q.C_0, w_j)
    formula = (1 - eta * lam / n) * w_j - eta * gradient_0
    assert_same(w_j - eta * sp.Derivative(M.C, w_j), formula, Q.REGULARIZED_DEFINITIONS)
    assert_same(built("weight-decay").result, formula, Q.REGULARIZED_DEFINITIONS)


def test_the_swapped_cost_is_linear_in_a_and_keeps_sigma_prime() -> None:
    slope = built("swapped-cost-da").result
    assert not slope.has(a_i)
    assert sp.diff(by_definition(Q.C_swapped[i], Q.SWAPPED_DEFINITIONS[:1]), a_i, 2) == 0
    formula = -(sp.log(y_i) - sp.log(1 - y_i)) * sigma_prime_z * x_ij
    assert_same(sp.Derivative(Q.C_swapped[i], w_j), formula, Q.SWAPPED_DEFINITIONS)
    assert_same(built("swapped-cost-dw").result, formula, Q.SWAPPED_DEFINITIONS)


def test_the_cross_entropy_in_a_falls_below_y_and_rises_above_it() -> None:
    slope = built("cross-entropy-da").result
    assert_same(sp.Derivative(M.C_x[i], a_i), slope, M.DEFINITIONS[1:2])
    for label in ["0.1", "0.5", "0.93"]:
        for at in ["0.01", "0.3", "0.6", "0.99"]:
            value = slope.subs({y_i: sp.Float(label, 30), a_i: sp.Float(at, 30)})
            assert sp.sign(value) == sp.sign(sp.Float(at) - sp.Float(label))
        assert slope.subs({y_i: sp.Rational(label), a_i: sp.Rational(label)}) == 0


def test_the_logit_of_y_gives_y() -> None:
    assert built("logit-of-y").result == y_i
    with mpmath.workdps(30):
        for label in ["0.01", "0.5", "0.77"]:
            p = mpmath.mpf(label)
            assert abs(1 / (1 + mpmath.exp(-mpmath.log(p / (1 - p)))) - p) < mpmath.mpf("1e-28")


# -- every derivation ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(Q.DERIVATIONS))
def test_every_registered_derivation_is_proven_exactly(name: str) -> None:
    description, _ = Q.DERIVATIONS[name]
    d = built(name)
    assert isinstance(d, Derivation)
    assert description
    assert d.label == name
    assert all(s.verified == PROVEN for s in d.steps)
    tex = d.latex()
    for s in d.steps:
        assert s.reason.replace("%", r"\%") in tex


def test_the_names_do_not_clash_with_the_models_derivations() -> None:
    assert not set(Q.DERIVATIONS) & set(M.DERIVATIONS)


s_prime = M.sigma_prime(z_i)
lam_over_n = Q.lam / n
WRONG_STEPS = {
    "quadratic: sigma' dropped": ("dQx-dw", 1, (a_i - y_i) * x_ij),
    "quadratic: sign flipped": ("dQx-dw", 2, s_prime * x_ij * (y_i - sigma_z)),
    "quadratic: x_j kept for the bias": ("dQx-db", 2, s_prime * x_ij * (sigma_z - y_i)),
    "quadratic: 1/n dropped": ("dQ-dw", 2, sp.Sum(x_ij * (sigma_z - y_i) * s_prime, (i, 1, n))),
    "quadratic: sigma' missing in the mean": (
        "dQ-db",
        2,
        sp.Sum(sigma_z - y_i, (i, 1, n)) / n,
    ),
    "sigma' bound: plus for minus": (
        "sigma-prime-bound",
        2,
        sp.Rational(1, 4) + (sigma_z - sp.Rational(1, 2)) ** 2,
    ),
    "L2: lambda/(2n) kept": (
        "dC-dw-L2",
        2,
        sp.Derivative(Q.C_0, w_j) + Q.lam / (2 * n) * w_j,
    ),
    "L2: 1/n forgotten": ("dC-dw-L2", 2, sp.Derivative(Q.C_0, w_j) + Q.lam * w_j),
    "L2: the bias decays too": ("dC-db-L2", 2, sp.Derivative(Q.C_0, M.b) + lam_over_n * M.b),
    "weight decay: eta dropped": (
        "weight-decay",
        2,
        (1 - lam_over_n) * w_j - Q.eta * sp.Derivative(Q.C_0, w_j),
    ),
    "swapped: a left in": ("swapped-cost-da", 2, -(a_i * sp.log(y_i) - sp.log(1 - y_i))),
    "swapped: sigma' dropped": (
        "swapped-cost-dw",
        1,
        -(sp.log(y_i) - sp.log(1 - y_i)) * x_ij,
    ),
    "cross-entropy in a: sign flipped": ("cross-entropy-da", 2, (y_i - a_i) / (a_i * (1 - a_i))),
    "logit: 1 - y for y": ("logit-of-y", 2, 1 - y_i),
}


@pytest.mark.parametrize("case", sorted(WRONG_STEPS))
def test_a_wrong_step_raises_step_error_naming_it(case: str) -> None:
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
    for name in Q.DERIVATIONS:
        d = built(name)
        last = max(s.number for s in d.steps)
        d.with_step(last, d.result)
