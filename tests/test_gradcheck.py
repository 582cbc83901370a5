"""xentropy.gradcheck: the referees agree with the truth, and the generic check compares any
parameters (the numeric contract's gradient checks)."""

from __future__ import annotations

import numpy as np
import pytest

from xentropy.gradcheck import METHODS
from xentropy.gradcheck import central_difference
from xentropy.gradcheck import check_parameters
from xentropy.gradcheck import complex_step
from xentropy.gradcheck import relative_error
from xentropy.gradcheck import require_method

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)


# ------------------------------------------------------------------ relative error


def test_relative_error_is_symmetric_and_scale_free():
    assert relative_error(3.0, 4.0) == relative_error(4.0, 3.0) == 0.25
    assert relative_error(3e-200, 4e-200) == pytest.approx(0.25, rel=EPS)
    assert relative_error(-1.0, 1.0) == 2.0


def test_two_zeros_agree_and_a_zero_against_anything_else_is_all_wrong():
    np.testing.assert_array_equal(relative_error([0.0, -0.0, 0.0], [0.0, 0.0, 1e-300]), [0, 0, 1])


def test_relative_error_does_not_overflow_near_the_largest_float():
    big = np.finfo(np.float64).max
    assert relative_error(big, -big) == 2.0


def test_nothing_agrees_with_nan_or_infinity():
    assert np.isnan(relative_error([np.nan, np.inf, 1.0], [np.nan, np.inf, -np.inf])).all()


# ------------------------------------------------------------- the numerical derivatives


def test_central_difference_uses_the_promised_step_and_divides_by_the_step_taken():
    calls = []

    def f(theta):
        calls.append(theta.copy())
        return float(theta @ theta)

    theta = np.array([0.1, -3.0, 1e5])
    central_difference(f, theta)
    for i, (up, down) in enumerate(zip(calls[::2], calls[1::2], strict=True)):
        h = EPS ** (1 / 3) * max(1.0, abs(theta[i]))
        assert up[i] == theta[i] + h
        assert down[i] == theta[i] - h
        others = np.arange(3) != i
        np.testing.assert_array_equal(up[others], theta[others])
    # Dividing by the step actually taken, (θ + h) - (θ - h), makes the slope
    # of the identity exact even where θ ± h is rounded (θ = 1e5 here); 2h would not.
    assert central_difference(lambda t: t[2], theta)[2] == 1.0
    h = EPS ** (1 / 3) * 1e5
    assert ((1e5 + h) - (1e5 - h)) / (2 * h) != 1.0


def test_central_difference_takes_another_step_when_asked():
    points = []
    central_difference(lambda t: points.append(t[0]) or 0.0, [-40.0], step=1e-3)
    assert points == [-40.0 + 0.04, -40.0 - 0.04]


def test_central_difference_is_accurate_to_about_1e_10_on_a_smooth_function():
    theta = np.array([0.3, 2.0, -1.5])
    exact = np.array([np.cos(0.3) * 2.0 * -1.5, np.sin(0.3) * -1.5, np.sin(0.3) * 2.0])
    estimate = central_difference(lambda t: np.sin(t[0]) * t[1] * t[2], theta)
    assert relative_error(estimate, exact).max() <= 1e-9


def test_complex_step_is_accurate_to_the_last_bits():
    theta = np.array([0.3, 2.0, -1.5])
    exact = np.array([np.cos(0.3) * 2.0 * -1.5, np.sin(0.3) * -1.5, np.sin(0.3) * 2.0])
    estimate = complex_step(lambda t: np.sin(t[0]) * t[1] * t[2], theta)
    assert relative_error(estimate, exact).max() <= 2 * EPS


# ---------------------------------------------------------------- the generic check


def test_the_generic_check_names_every_entry_and_compares_each_with_the_referee():
    W, b = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array(0.25)
    shift = np.array([0.5])  # data: what the functions take after the parameters

    def cost_of(W, b, shift):
        return float(np.sum(np.sin(W)) + b**3 + shift[0])

    def complex_cost_of(W, b, shift):
        return complex(np.sum(np.sin(W)) + b**3 + shift[0])

    def check(gradient_fn, method="complex"):
        return check_parameters(
            {"W": W, "b": b},
            (shift,),
            gradient_fn,
            cost_of,
            complex_cost_of,
            lambda shapes: f"shapes {shapes}",
            method=method,
        )

    for method in METHODS:
        right = check(lambda W, b, shift: (np.cos(W), 3 * b**2), method)
        assert right.parameters == ("W_1,1", "W_1,2", "W_2,1", "W_2,2", "b")
        assert right.method == METHODS[method]
        assert right.passed, right
    # W's gradient transposed: wrong off the diagonal only
    assert check(lambda W, b, shift: (np.cos(W).T, 3 * b**2)).failed == ("W_1,2", "W_2,1")
    with pytest.raises(ValueError, match=r"^shapes \[\(2, 2\), \(1,\)\]$"):
        check(lambda W, b, shift: (np.cos(W), np.array([3 * b**2])))


def test_the_gradient_function_is_given_copies_it_cannot_spoil():
    point, data = {"u": np.array([1.0, 2.0])}, (np.array([3.0]),)

    def spoiling(u, d):
        grad = 2 * u
        u[:] = 100.0
        d[:] = 100.0
        return (grad,)

    check = check_parameters(
        point,
        data,
        spoiling,
        lambda u, d: float(np.sum(u**2)),
        lambda u, d: np.sum(u**2),
        str,
    )
    assert check.passed
    assert point["u"].tolist() == [1.0, 2.0]
    assert data[0].tolist() == [3.0]


def test_an_unknown_referee_is_refused_before_anything_else():
    with pytest.raises(ValueError, match=r"^method must be 'complex' or 'central', got 'forward'$"):
        require_method("forward")
    with pytest.raises(ValueError, match=r"^method must be 'complex' or 'central'"):
        check_parameters({}, (), None, None, None, str, method="forward")
