"""Softmax with the log-likelihood: the derivations are right, and each rejects a wrong step."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from xentropy import notation
from xentropy.derivation import evaluate
from xentropy.derivation import expand_definitions
from xentropy.expressions import sigma
from xentropy.latex import to_latex
from xentropy.symbolic import neuron
from xentropy.symbolic import softmax as MC

i = notation.i
a, c, j, x, y, z = (
    notation.softmax_a,
    notation.c,
    notation.j,
    notation.x,
    notation.softmax_y,
    notation.softmax_z,
)
d, K = notation.d, notation.K


# -- the results, checked without the derivations -----------------------------------------------


def _by_definition(expr: sp.Basic, classes: int | None = None, logits: bool = True) -> sp.Basic:
    return evaluate(expand_definitions(expr, MC.definitions(classes, logits=logits)))


def test_the_output_error_is_a_minus_y_for_three_classes_by_direct_differentiation(built) -> None:
    for t in (1, 2, 3):
        direct = _by_definition(sp.Derivative(notation.C_x[i], z[i, t]), 3, logits=False)
        formula = _by_definition(a[i, t] - y[i, t], 3, logits=False)
        assert sp.simplify(direct - formula) == 0
    expected = sp.Matrix([a[i, t] - y[i, t] for t in (1, 2, 3)])
    assert sp.simplify(built("softmax-dCx-dz-3").result - expected) == sp.zeros(3, 1)


def test_the_general_results_are_the_known_formulas(built) -> None:
    assert sp.simplify(built("softmax-dCx-dz").result - (a[i, c] - y[i, c])) == 0
    assert sp.simplify(built("softmax-dCx-db").result - (a[i, c] - y[i, c])) == 0
    assert sp.simplify(built("softmax-dCx-dw").result - x[i, j] * (a[i, c] - y[i, c])) == 0
    expected = sp.KroneckerDelta(c, d) - a[i, c]
    assert sp.simplify(built("log-softmax-derivative").result - expected) == 0


def test_two_classes_give_the_binary_cross_entropy_of_one_neuron(built) -> None:
    t = sigma(z[i, 1] - z[i, 2])
    assert sp.simplify(built("softmax-two-classes").result - t) == 0
    binary = dict(neuron.DEFINITIONS)[notation.C_x[i]]  # −(y ln a + (1 − y) ln(1 − a))
    binary = binary.xreplace({notation.a[i]: a[i, 1], notation.y[i]: y[i, 1]})
    assert sp.simplify(built("log-likelihood-two-classes").result - binary) == 0


def _log_likelihood(zs: list, ys: list) -> mpmath.mpf:
    total = mpmath.fsum(mpmath.exp(v) for v in zs)
    return -mpmath.fsum(q * (v - mpmath.log(total)) for q, v in zip(ys, zs, strict=True))


def test_the_output_error_matches_finite_differences_at_40_digits(built) -> None:
    # Independent of SymPy: the cost in mpmath, differentiated by central differences.
    rng = random.Random(11)
    with mpmath.workdps(40):
        for classes in (2, 4, 5):
            zs = [mpmath.mpf(rng.uniform(-3, 3)) for _ in range(classes)]
            weights = [mpmath.mpf(rng.uniform(0, 1)) for _ in range(classes)]
            ys = [v / mpmath.fsum(weights) for v in weights]
            total = mpmath.fsum(mpmath.exp(v) for v in zs)
            h = mpmath.mpf("1e-15")
            for t in range(classes):
                up, down = list(zs), list(zs)
                up[t] += h
                down[t] -= h
                slope = (_log_likelihood(up, ys) - _log_likelihood(down, ys)) / (2 * h)
                values = {a[i, c]: mpmath.exp(zs[t]) / total, y[i, c]: ys[t]}
                formula = built("softmax-dCx-dz").result.xreplace(values)
                assert abs(sp.Float(slope, 40) - formula) < 1e-25


# -- a wrong step is caught ---------------------------------------------------------------------

sum_y = sp.Sum(y[i, d], (d, 1, K))
WRONG_STEPS = {
    "sign flipped": ("softmax-dCx-dz", 3, y[i, c] - a[i, c]),
    "y_c dropped": ("softmax-dCx-dz", 2, a[i, c] * sum_y),
    "the delta on the wrong side": (
        "softmax-dCx-dz",
        1,
        sp.Sum(
            y[i, d] * (sp.KroneckerDelta(d, c) - a[i, c]),
            (d, 1, K),
        ),
    ),
    "a_c for a_d": (
        "log-softmax-derivative",
        2,
        sp.KroneckerDelta(d, c) - a[i, d],
    ),
    "one entry wrong for K = 3": (
        "softmax-dCx-dz-3",
        2,
        sp.Matrix([a[i, 1] - y[i, 1], a[i, 2] - y[i, 1], a[i, 3] - y[i, 3]]),
    ),
    "x_j missing": ("softmax-dCx-dw", 1, a[i, c] - y[i, c]),
    "the weight's gradient for the bias": ("softmax-dCx-db", 1, x[i, j] * (a[i, c] - y[i, c])),
    "the logits subtracted the wrong way": (
        "softmax-two-classes",
        2,
        sigma(z[i, 2] - z[i, 1]),
    ),
    "y_2 kept for 1 - y_1 with the wrong sign": (
        "log-likelihood-two-classes",
        1,
        -(y[i, 1] * sp.log(a[i, 1]) + (1 + y[i, 1]) * sp.log(1 - a[i, 1])),
    ),
    "a_2 taken for 1 - a_1 twice": (
        "log-likelihood-two-classes",
        1,
        -(y[i, 1] * sp.log(a[i, 1]) + (1 - y[i, 1]) * sp.log(1 - a[i, 2])),
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_STEPS))
def test_a_wrong_step_raises_step_error_naming_it(case: str, rejects) -> None:
    rejects(*WRONG_STEPS[case])


def test_the_labels_sum_to_one_by_their_definition() -> None:
    for classes in (1, 2, 5):
        total = _by_definition(sp.Sum(y[i, d], (d, 1, K)), classes)
        assert sp.simplify(total - 1) == 0


def test_the_class_index_prints_as_the_book_writes_it(built) -> None:
    assert to_latex(built("softmax-dCx-dw").result, implicit_index=notation.NIELSEN) == (
        r"x_{j} \left(a_{c} - y_{c}\right)"
    )
    assert to_latex(dict(MC.definitions())[notation.C_x[i]], implicit_index=notation.NIELSEN) == (
        r"- \sum_{d=1}^{K} y_{d} \ln{\left(a_{d} \right)}"
    )
