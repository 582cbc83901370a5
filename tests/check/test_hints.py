"""A hint names the usual mistake only when the engine finds the line equal to what that mistake
gives; a line that is wrong some other way gets none."""

from __future__ import annotations

import pytest
import sympy as sp

from xentropy.check.hints import hint
from xentropy.check.vocabulary import nielsen
from xentropy.derivation import StepError
from xentropy.derivation import verify_equal
from xentropy.expressions import sigma
from xentropy.expressions import sigma_prime
from xentropy.notation import C
from xentropy.notation import C_x
from xentropy.notation import b
from xentropy.notation import i
from xentropy.notation import j
from xentropy.notation import n
from xentropy.notation import w
from xentropy.notation import x
from xentropy.notation import y
from xentropy.notation import z

V = nielsen()
s = sigma(z[i])
ONE = x[i, j] * (s - y[i])  # ∂C_x/∂w_j
MEAN = sp.Sum(ONE, (i, 1, n)) / n  # ∂C/∂w_j


def hinted(previous: sp.Basic, new: sp.Basic) -> str | None:
    try:
        verify_equal(previous, new, V.where, V.sample, seed="test")
    except StepError as error:
        return hint(previous, new, V.where, V.sample, seed="test", difference=str(error))
    raise AssertionError("the step holds; a hint is for a wrong step")


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        (ONE, x[i, j] * (y[i] - s), "the sign is flipped"),
        (sp.Derivative(C, w[j]), sp.Sum(ONE, (i, 1, n)), "a factor 1/n is missing"),
        (sp.Derivative(C, w[j]), MEAN / n, "a factor 1/n too many"),
        (ONE, s - y[i], "a factor x_j is missing"),
        (sp.Derivative(C, w[j]), sp.Sum(s - y[i], (i, 1, n)) / n, "the bias's derivative"),
        (sp.Derivative(C_x[i], w[j]), ONE * sigma_prime(z[i]), "σ′(z) is left in"),
        (sp.Derivative(C, w[j]), ONE, "C is one number"),
        (
            sp.Derivative(C, w[j]),
            sp.Sum(ONE, (j, 1, sp.Symbol("k", integer=True, positive=True))) / n,
            "not over the features",
        ),
    ],
)
def test_each_usual_mistake_gets_its_hint(previous, new, expected: str) -> None:
    found = hinted(previous, new)
    assert found is not None
    assert expected in found


def test_sigma_times_one_plus_sigma() -> None:
    right = -(y[i] / s - (1 - y[i]) / (1 - s)) * sigma_prime(z[i]) * x[i, j]
    wrong = -(y[i] / s - (1 - y[i]) / (1 - s)) * s * (1 + s) * x[i, j]
    assert "not σ(z)(1 + σ(z))" in (hinted(right, wrong) or "")


@pytest.mark.parametrize(
    "new",
    [
        x[i, j] * (s - y[i]) + 1,  # off by a constant
        2 * x[i, j] * (s - y[i]),  # by a factor that is not a usual mistake
        x[i, j] * (s + y[i]),  # a sign inside
    ],
)
def test_a_mistake_that_is_not_a_usual_one_gets_no_hint(new: sp.Basic) -> None:
    assert hinted(ONE, new) is None


def test_the_bias_for_a_weight_is_not_a_missing_x_j_when_no_x_j_was_there() -> None:
    found = hinted(sp.Derivative(C_x[i], w[j]), sp.Derivative(C_x[i], b))
    assert found is not None
    assert "bias" in found
