"""One neuron's derivations: the results are right, checked without them, and each rejects a
wrong step."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from xentropy import notation as N
from xentropy.derivation import evaluate
from xentropy.derivation import expand_definitions
from xentropy.expressions import sigma
from xentropy.expressions import sigma_prime
from xentropy.latex import to_latex
from xentropy.symbolic.neuron import DEFINITIONS

# -- the main results, checked without the derivations ------------------------------------------


def _by_definition(expr: sp.Basic) -> sp.Basic:
    return evaluate(expand_definitions(expr, DEFINITIONS))


def test_the_gradient_is_the_mean_of_x_j_times_the_residual(built) -> None:
    # Differentiate C straight from its definition and compare with the book's formula.
    direct = _by_definition(sp.Derivative(N.C, N.w[N.j]))
    formula = sp.Sum(N.x[N.i, N.j] * (sigma(N.z[N.i]) - N.y[N.i]), (N.i, 1, N.n)) / N.n
    assert sp.simplify(direct - _by_definition(formula)) == 0
    assert sp.simplify(_by_definition(built("dC-dw").result - formula)) == 0


def test_the_bias_derivative_is_the_mean_residual(built) -> None:
    direct = _by_definition(sp.Derivative(N.C, N.b))
    formula = sp.Sum(sigma(N.z[N.i]) - N.y[N.i], (N.i, 1, N.n)) / N.n
    assert sp.simplify(direct - _by_definition(formula)) == 0
    assert sp.simplify(_by_definition(built("dC-db").result - formula)) == 0


def test_the_derived_gradient_matches_finite_differences_of_the_cost(
    built, matches_finite_differences
) -> None:
    def cross_entropy(a, y):
        return -(y * mpmath.log(a) + (1 - y) * mpmath.log(1 - a))

    matches_finite_differences(built("dC-dw").result, DEFINITIONS, cross_entropy, 4, 3, seed=3)


# -- every derivation rejects a wrong step ------------------------------------------------------


sigma_z = sigma(N.z[N.i])
x_ij, y_i, i, n = N.x[N.i, N.j], N.y[N.i], N.i, N.n

WRONG_STEPS = {
    "sign flipped": ("dCx-dw", 4, x_ij * (y_i - sigma_z)),
    "x_j missing": (
        "dCx-dw",
        1,
        -(y_i / N.a[i] - (1 - y_i) / (1 - N.a[i])) * sigma_prime(N.z[i]),
    ),
    "the bias derivative given for w_j": ("dCx-dw", 4, sigma_z - y_i),
    "sigma' forgotten": ("dCx-dw", 2, -(y_i / sigma_z - (1 - y_i) / (1 - sigma_z)) * x_ij),
    "1/n dropped": ("dC-dw", 2, sp.Sum(x_ij * (sigma_z - y_i), (i, 1, n))),
    "x_ij missing in the sum": ("dC-dw", 2, sp.Sum(sigma_z - y_i, (i, 1, n)) / n),
    "the weight gradient given for b": ("dC-db", 2, sp.Sum(x_ij * (sigma_z - y_i), (i, 1, n)) / n),
    "sign flipped in the matrix form": (
        "gradient-matrix-form",
        1,
        sp.Matrix([sp.Sum(N.x[i, c] * (y_i - sigma_z), (i, 1, n)) / n for c in (1, 2)]),
    ),
    "the sum's gradient taken for the mean's": ("dCsum-dw", 2, sp.Derivative(N.C, N.w[N.j])),
    "wrong partial fractions": ("cross-entropy-from-gradient", 2, -y_i / N.a[i] + 1 / (1 - N.a[i])),
}


@pytest.mark.parametrize("case", sorted(WRONG_STEPS))
def test_a_wrong_step_raises_step_error_naming_it(case: str, rejects) -> None:
    rejects(*WRONG_STEPS[case])


def test_the_example_is_a_superscript_and_nielsen_leaves_it_out(built) -> None:
    tex = to_latex(built("dC-dw").result, implicit_index=N.NIELSEN)
    assert tex == r"\frac{1}{n} \sum_{x} x_{j} \left(\sigma(z) - y\right)"
    tex = to_latex(built("dC-dw").result)
    assert tex == (r"\frac{1}{n} \sum_{i=1}^{n} x^{(i)}_{j} \left(\sigma(z^{(i)}) - y^{(i)}\right)")
