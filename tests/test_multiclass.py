"""Softmax with the log-likelihood: the derivations are right, and each rejects a wrong step."""

from __future__ import annotations

import functools
import random

import mpmath
import pytest
import sympy as sp

from xentropy import models
from xentropy import multiclass as MC
from xentropy.derivation import (
    CHECKED_NUMERICALLY,
    PROVEN,
    Derivation,
    StepError,
    evaluate,
    expand_definitions,
)

i = models.i
a, c, j, x, y, z = MC.a, MC.c, models.j, models.x, MC.y, MC.z


@functools.cache
def built(name: str) -> Derivation:
    """Each derivation is built (and so checked) once for the whole module."""
    return MC.DERIVATIONS[name][1]()


# -- every derivation ---------------------------------------------------------------------------

SUM_OF_LABELS = r"$\sum_l y_l = 1$"
# With K a symbol, SymPy cannot prove Σ_l q_l / Σ_l' q_l' = 1 (see the module's docstring).
NUMERIC_STEPS = {"softmax-dCx-dz", "softmax-dCx-dw", "softmax-dCx-db"}


@pytest.mark.parametrize("name", sorted(MC.DERIVATIONS))
def test_every_derivation_is_checked_and_proven_except_where_k_is_symbolic(name: str) -> None:
    description, _ = MC.DERIVATIONS[name]
    d = built(name)
    assert isinstance(d, Derivation)
    assert description
    assert d.label == name
    for s in d.steps:
        if name in NUMERIC_STEPS and s.reason == SUM_OF_LABELS:
            assert s.verified == CHECKED_NUMERICALLY
        else:
            assert s.verified == PROVEN, (name, s)
    tex = d.latex()
    assert r"\left(-1\right)" not in tex  # −Σ printed as such
    assert ("(checked numerically)" in tex) == (name in NUMERIC_STEPS)


# -- the results, checked without the derivations -----------------------------------------------


def _by_definition(expr: sp.Basic, classes: int | None = None, logits: bool = True) -> sp.Basic:
    return evaluate(expand_definitions(expr, MC.definitions(classes, logits=logits)))


def test_the_output_error_is_a_minus_y_for_three_classes_by_direct_differentiation() -> None:
    for t in (1, 2, 3):
        direct = _by_definition(sp.Derivative(models.C_x[i], z[i, t]), 3, logits=False)
        formula = _by_definition(a[i, t] - y[i, t], 3, logits=False)
        assert sp.simplify(direct - formula) == 0
    expected = sp.Matrix([a[i, t] - y[i, t] for t in (1, 2, 3)])
    assert sp.simplify(built("softmax-dCx-dz-3").result - expected) == sp.zeros(3, 1)


def test_the_general_results_are_the_known_formulas() -> None:
    assert sp.simplify(built("softmax-dCx-dz").result - (a[i, c] - y[i, c])) == 0
    assert sp.simplify(built("softmax-dCx-db").result - (a[i, c] - y[i, c])) == 0
    assert sp.simplify(built("softmax-dCx-dw").result - x[i, j] * (a[i, c] - y[i, c])) == 0
    expected = sp.KroneckerDelta(c, MC.l) - a[i, c]
    assert sp.simplify(built("log-softmax-derivative").result - expected) == 0


def test_two_classes_give_the_binary_cross_entropy_of_the_models_module() -> None:
    t = models.sigma(z[i, 1] - z[i, 2])
    assert sp.simplify(built("softmax-two-classes").result - t) == 0
    binary = dict(models.DEFINITIONS)[models.C_x[i]]  # −(y ln a + (1 − y) ln(1 − a))
    binary = binary.xreplace({models.a[i]: a[i, 1], models.y[i]: y[i, 1]})
    assert sp.simplify(built("log-likelihood-two-classes").result - binary) == 0


def _log_likelihood(zs: list, ys: list) -> mpmath.mpf:
    total = mpmath.fsum(mpmath.exp(v) for v in zs)
    return -mpmath.fsum(q * (v - mpmath.log(total)) for q, v in zip(ys, zs, strict=True))


def test_the_output_error_matches_finite_differences_at_40_digits() -> None:
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

sum_y = sp.Sum(y[i, MC.l], (MC.l, 1, MC.K))
WRONG_STEPS = {
    "sign flipped": ("softmax-dCx-dz", 3, y[i, c] - a[i, c]),
    "y_c dropped": ("softmax-dCx-dz", 2, a[i, c] * sum_y),
    "the delta on the wrong side": (
        "softmax-dCx-dz",
        1,
        sp.Sum(y[i, MC.l] * (sp.KroneckerDelta(MC.l, c) - a[i, c]), (MC.l, 1, MC.K)),
    ),
    "a_c for a_l": ("log-softmax-derivative", 2, sp.KroneckerDelta(MC.l, c) - a[i, MC.l]),
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
        models.sigma(z[i, 2] - z[i, 1]),
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
    for name in MC.DERIVATIONS:
        d = built(name)
        last = max(s.number for s in d.steps)
        d.with_step(last, d.result)


def test_the_labels_sum_to_one_by_their_definition() -> None:
    for classes in (1, 2, 5):
        total = _by_definition(sp.Sum(y[i, MC.l], (MC.l, 1, MC.K)), classes)
        assert sp.simplify(total - 1) == 0


def test_the_class_index_prints_as_the_book_writes_it() -> None:
    from xentropy.derivation import to_latex

    assert to_latex(built("softmax-dCx-dw").result, implicit_index=models.NIELSEN) == (
        r"x_{j} \left(a_{c} - y_{c}\right)"
    )
    assert to_latex(dict(MC.definitions())[models.C_x[i]], implicit_index=models.NIELSEN) == (
        r"- \sum_{l=1}^{K} y_{l} \ln{\left(a_{l} \right)}"
    )
