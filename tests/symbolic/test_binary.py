"""The logit forms of the cost: proven equal to the definition, and the code computes them."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from xentropy import notation as N
from xentropy.numeric.binary import losses
from xentropy.numeric.binary import residuals
from xentropy.symbolic import binary

i = N.i
z, y = N.z[i], N.y[i]
EPS = float(np.finfo(np.float64).eps)

NAMES = ("cost-from-logit", "cost-for-negative-logits", "residual-from-logit")


@pytest.mark.parametrize("name", NAMES)
def test_every_step_of_the_logit_forms_is_proven(name: str, built) -> None:
    assert {step.verified for step in built(name).steps} == {"proven"}


WRONG_STEPS = {
    "1 - y and y swapped": (
        "cost-from-logit",
        2,
        sp.log(1 + sp.exp(-z)) + y * z,
    ),
    "the sign of z kept in the exponential": (
        "cost-for-negative-logits",
        1,
        -z + sp.log(1 + sp.exp(-z)) + (1 - y) * z,
    ),
    "the residual with y and 1 - y swapped": (
        "residual-from-logit",
        4,
        (y - (1 - y) * sp.exp(-z)) / (1 + sp.exp(-z)),
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_STEPS))
def test_a_wrong_step_raises_step_error_naming_it(case: str, rejects) -> None:
    rejects(*WRONG_STEPS[case])


def _at(expr: sp.Basic, logit: float, label: float) -> mpmath.mpf:
    """``expr`` at a float logit and label, with 50 digits."""
    with mpmath.workdps(50):
        value = expr.xreplace({z: sp.Float(logit, 50), y: sp.Float(label, 50)}).evalf(50)
        return mpmath.mpf(str(value))


@pytest.mark.parametrize(
    ("name", "side"),
    [("cost-from-logit", 1.0), ("cost-for-negative-logits", -1.0)],
)
def test_the_code_computes_the_derived_form_on_its_side_of_zero(
    name: str, side: float, built
) -> None:
    form = built(name).result
    logits = side * np.array([0.0, 1e-8, 0.3, 2.0, 17.5, 36.9, 300.0])
    labels = np.array([0.0, 1.0, 0.25, 0.5, 1.0, 0.0, 0.75])
    ours = losses(logits, labels)
    for logit, label, value in zip(logits, labels, ours, strict=True):
        exact = _at(form, float(logit), float(label))
        assert abs(value - exact) <= 4 * EPS * abs(exact), (logit, label)


def test_the_code_computes_the_derived_residual() -> None:
    steps = binary.residual_from_logit().steps
    positive, negative = steps[-2].expr, steps[-1].expr
    for logit, label in [
        (0.0, 0.0),
        (0.5, 1.0),
        (20.0, 1.0),
        (-0.5, 0.0),
        (-20.0, 0.0),
        (3.0, 0.3),
    ]:
        form = positive if logit >= 0 else negative
        exact = _at(form, logit, label)
        value = residuals(np.array([logit]), np.array([label]))[0]
        assert abs(value - exact) <= 4 * EPS * abs(exact), (logit, label)
