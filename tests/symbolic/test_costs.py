"""The other costs: each result is the known formula, checked without the derivation that gives
it, and every derivation rejects a wrong step."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from xentropy import notation as N
from xentropy.derivation import evaluate
from xentropy.derivation import expand_definitions
from xentropy.expressions import sigma
from xentropy.expressions import sigma_prime
from xentropy.symbolic import costs
from xentropy.symbolic.neuron import DEFINITIONS

i, j, n, k = N.i, N.j, N.n, N.k
x_ij, y_i, a_i, z_i, w_j = N.x[i, j], N.y[i], N.a[i], N.z[i], N.w[j]
sigma_z = sigma(z_i)
sigma_prime_z = sigma_z * (1 - sigma_z)


def by_definition(expr: sp.Basic, where) -> sp.Basic:
    return evaluate(expand_definitions(expr, where))


def assert_same(left: sp.Basic, right: sp.Basic, where) -> None:
    difference = by_definition(left, where) - by_definition(right, where)
    assert sp.simplify(difference.rewrite(sp.exp)) == 0


# -- the results, checked straight from the definitions ----------------------------------------


def test_the_quadratic_cost_keeps_sigma_prime_in_the_weight_gradient(built) -> None:
    # Nielsen's (a - y) σ'(z) x, differentiated from the definition of Q_x
    formula = (a_i - y_i) * sigma_prime_z * x_ij
    assert_same(sp.Derivative(N.Q_x[i], w_j), formula, costs.QUADRATIC_DEFINITIONS)
    assert_same(built("dQx-dw").result, formula, costs.QUADRATIC_DEFINITIONS)


def test_the_quadratic_gradient_is_sigma_prime_times_the_cross_entropy_gradient(built) -> None:
    cross_entropy = built("dCx-dw").result
    ratio = sp.simplify(built("dQx-dw").result.doit() / cross_entropy)
    assert sp.simplify(ratio - sigma_prime_z) == 0
    ratio = sp.simplify(built("dQx-db").result.doit() / built("dCx-db").result)
    assert sp.simplify(ratio - sigma_prime_z) == 0


def test_the_quadratic_bias_gradient(built) -> None:
    formula = (a_i - y_i) * sigma_prime_z
    assert_same(sp.Derivative(N.Q_x[i], N.b), formula, costs.QUADRATIC_DEFINITIONS)
    assert_same(built("dQx-db").result, formula, costs.QUADRATIC_DEFINITIONS)


def test_the_mean_quadratic_gradient(built) -> None:
    weight = sp.Sum(x_ij * (sigma_z - y_i) * sigma_prime_z, (i, 1, n)) / n
    bias = sp.Sum((sigma_z - y_i) * sigma_prime_z, (i, 1, n)) / n
    for lhs, name, formula in [(w_j, "dQ-dw", weight), (N.b, "dQ-db", bias)]:
        assert_same(sp.Derivative(N.Q, lhs), formula, costs.QUADRATIC_DEFINITIONS)
        assert_same(built(name).result, formula, costs.QUADRATIC_DEFINITIONS)


def test_the_mean_quadratic_gradient_matches_finite_differences_of_the_cost(
    built, matches_finite_differences
) -> None:
    def quadratic(a, y):
        return (y - a) ** 2 / 2

    where = costs.QUADRATIC_DEFINITIONS
    matches_finite_differences(built("dQ-dw").result, where, quadratic, 4, 2, seed=5)


def test_sigma_prime_is_at_most_a_quarter_and_reaches_it_at_zero(built) -> None:
    assert built("sigma-prime-bound").result.subs(sigma_z, sp.Rational(1, 2)) == sp.Rational(1, 4)
    t = sp.Symbol("t", real=True)
    derivative = sp.diff(1 / (1 + sp.exp(-t)), t)
    for value in [-40, -3, sp.Rational(-1, 2), sp.Rational(1, 4), 2, 40]:
        assert derivative.subs(t, value).evalf(30) < sp.Rational(1, 4)
    assert sp.simplify(derivative.subs(t, 0)) == sp.Rational(1, 4)


def test_regularization_adds_lambda_over_n_times_w_j_to_the_weight_gradient(built) -> None:
    formula = built("dC-dw").result + N.lam / n * w_j
    assert_same(sp.Derivative(N.C, w_j), formula, costs.REGULARIZED_DEFINITIONS)
    assert_same(built("dC-dw-L2").result, formula, costs.REGULARIZED_DEFINITIONS)


def test_regularization_leaves_the_bias_gradient_unchanged(built) -> None:
    assert_same(sp.Derivative(N.C, N.b), built("dC-db").result, costs.REGULARIZED_DEFINITIONS)
    assert_same(built("dC-db-L2").result, built("dC-db").result, costs.REGULARIZED_DEFINITIONS)


def test_regularization_is_the_cross_entropy_when_lambda_is_zero() -> None:
    regularized = dict(costs.REGULARIZED_DEFINITIONS)[N.C].subs(N.lam, 0)
    assert regularized == N.C_0
    assert dict(costs.REGULARIZED_DEFINITIONS)[N.C_0] == dict(DEFINITIONS)[N.C]


def test_weight_decay_shrinks_the_weight_before_the_step(built) -> None:
    eta, lam = N.eta, N.lam
    gradient_0 = sp.Derivative(N.C_0, w_j)
    formula = (1 - eta * lam / n) * w_j - eta * gradient_0
    assert_same(w_j - eta * sp.Derivative(N.C, w_j), formula, costs.REGULARIZED_DEFINITIONS)
    assert_same(built("weight-decay").result, formula, costs.REGULARIZED_DEFINITIONS)


def test_the_swapped_cost_is_linear_in_a_and_keeps_sigma_prime(built) -> None:
    slope = built("swapped-cost-da").result
    assert not slope.has(a_i)
    assert sp.diff(by_definition(N.C_swapped[i], costs.SWAPPED_DEFINITIONS[:1]), a_i, 2) == 0
    formula = -(sp.log(y_i) - sp.log(1 - y_i)) * sigma_prime_z * x_ij
    assert_same(sp.Derivative(N.C_swapped[i], w_j), formula, costs.SWAPPED_DEFINITIONS)
    assert_same(built("swapped-cost-dw").result, formula, costs.SWAPPED_DEFINITIONS)


def test_the_cross_entropy_in_a_falls_below_y_and_rises_above_it(built) -> None:
    slope = built("cross-entropy-da").result
    assert_same(sp.Derivative(N.C_x[i], a_i), slope, DEFINITIONS[1:2])
    for label in ["0.1", "0.5", "0.93"]:
        for at in ["0.01", "0.3", "0.6", "0.99"]:
            value = slope.subs({y_i: sp.Float(label, 30), a_i: sp.Float(at, 30)})
            assert sp.sign(value) == sp.sign(sp.Float(at) - sp.Float(label))
        assert slope.subs({y_i: sp.Rational(label), a_i: sp.Rational(label)}) == 0


def test_the_logit_of_y_gives_y(built) -> None:
    assert built("logit-of-y").result == y_i
    with mpmath.workdps(30):
        for label in ["0.01", "0.5", "0.77"]:
            p = mpmath.mpf(label)
            assert abs(1 / (1 + mpmath.exp(-mpmath.log(p / (1 - p)))) - p) < mpmath.mpf("1e-28")


# -- every derivation rejects a wrong step ------------------------------------------------------

s_prime = sigma_prime(z_i)
lam_over_n = N.lam / n
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
        sp.Derivative(N.C_0, w_j) + N.lam / (2 * n) * w_j,
    ),
    "L2: 1/n forgotten": ("dC-dw-L2", 2, sp.Derivative(N.C_0, w_j) + N.lam * w_j),
    "L2: the bias decays too": ("dC-db-L2", 2, sp.Derivative(N.C_0, N.b) + lam_over_n * N.b),
    "weight decay: eta dropped": (
        "weight-decay",
        2,
        (1 - lam_over_n) * w_j - N.eta * sp.Derivative(N.C_0, w_j),
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
def test_a_wrong_step_raises_step_error_naming_it(case: str, rejects) -> None:
    rejects(*WRONG_STEPS[case])
