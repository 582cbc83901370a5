"""xentropy.softmax keeps the promises of docs/numbers.md, sections 1, 2 and 8, for softmax.

The reference is mpmath at 60 digits with cancellation-free formulas: with M the largest logit
of a row, top its class and s = Σ_{l≠top} exp(z_l - M), the probabilities are
exp(z_l - M)/(1 + s), the log-probabilities (z_l - M) - log1p(s), and the residual at the top
class Σ_{l≠top} y_l - S s/(1 + s). (The direct forms at 60 digits lose the tiny quantities
that are being measured: 1 - A_top is 1e-48 when the logits are 100 apart.)
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import assume
from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xentropy
from xentropy.gradcheck import GOOD
from xentropy.numeric.softmax import ROW_SUM_TOLERANCE
from xentropy.numeric.softmax import categorical_cross_entropy
from xentropy.numeric.softmax import check_softmax_gradient
from xentropy.numeric.softmax import complex_softmax_cost
from xentropy.numeric.softmax import log_softmax
from xentropy.numeric.softmax import one_hot
from xentropy.numeric.softmax import softmax
from xentropy.numeric.softmax import softmax_cost
from xentropy.numeric.softmax import softmax_gradient
from xentropy.numeric.softmax import validate_softmax_inputs

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)
DIGITS = 60

W = [[0.5, 2.0], [-1.0, 0.0], [0.25, -0.5]]  # K × k: one row per class
B = [0.1, -0.2, 0.0]
X = [[1.0, 2.0], [-3.0, 0.5], [0.0, 4.0], [1.5, -1.0]]
Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.25, 0.25, 0.5]]


# ----------------------------------------------------------------- the reference


def _mp(v: float) -> mpmath.mpf:
    return mpmath.mpf(float(v))


def ref_row(z, y=None):
    """Probabilities, log-probabilities and (with labels) the residual of one row, 60 digits."""
    with mpmath.workdps(DIGITS):
        zs = [_mp(v) for v in z]
        finite = [v for v in zs if mpmath.isfinite(v)]
        M = max(finite)
        top = zs.index(M)
        s = mpmath.fsum(mpmath.exp(v - M) for q, v in enumerate(zs) if q != top)
        probabilities = [mpmath.exp(v - M) / (1 + s) for v in zs]
        logs = [(v - M) - mpmath.log1p(s) for v in zs]
        if y is None:
            return probabilities, logs, None
        ys = [_mp(v) for v in y]
        S = mpmath.fsum(ys)
        residual = [p * S - q for p, q in zip(probabilities, ys, strict=True)]
        residual[top] = mpmath.fsum(q for c, q in enumerate(ys) if c != top) - S * s / (1 + s)
        return probabilities, logs, residual


def ref_cost(Z, Y_) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        total = mpmath.mpf(0)
        for z, y in zip(Z, Y_, strict=True):
            _, logs, _ = ref_row(z)
            total -= mpmath.fsum(_mp(q) * v for q, v in zip(y, logs, strict=True) if q > 0)
        return total / len(Z)


def error_in_eps(ours: float, exact: mpmath.mpf, subnormal_terms: int = 0) -> float:
    """Relative error in eps; where the exact value underflows, TINY of it is forgiven.

    A sum of ``subnormal_terms`` terms that underflowed is off by up to half the smallest
    subnormal (2^-1075) per term, whatever the size of the sum; that much is forgiven too
    (a sum of K such terms can itself be a normal float).
    """
    with mpmath.workdps(DIGITS):
        difference = abs(_mp(ours) - exact)
        difference = max(difference - subnormal_terms * mpmath.mpf(2) ** -1075, 0)
        if abs(exact) < TINY:
            difference = max(difference - TINY, 0)
        if difference == 0:
            return 0.0
        return float(difference / abs(exact)) / EPS if exact != 0 else math.inf


# ---------------------------------------------------------------- section 1: bad input

BAD_INPUT = [
    ({"X": [1.0, 2.0]}, ValueError, r"^X must be 2-D, got shape \(2,\)$"),
    (
        {"X": np.zeros((0, 2)), "Y": np.zeros((0, 3))},
        ValueError,
        r"^X has no rows: the cost of no examples is undefined$",
    ),
    (
        {"W": [0.5, -1.0]},
        ValueError,
        r"^W must be 2-D, K × k \(one row per class, one column per feature of X\), "
        r"got shape \(2,\)$",
    ),
    (
        {"W": [[0.5], [-1.0], [0.25]]},
        ValueError,
        r"^W has 1 column but X has 2 features: W is K × k, one row per class",
    ),
    (
        {"W": np.zeros((0, 2)), "b": [], "Y": np.zeros((4, 0))},
        ValueError,
        r"^W has no rows: there must be at least one class$",
    ),
    (
        {"b": [0.1, 0.2]},
        ValueError,
        r"^b must be 1-D with 3 entries \(one per row of W, a class\), got shape \(2,\)$",
    ),
    (
        {"b": [[0.1, 0.2, 0.0]]},
        ValueError,
        r"^b must be 1-D with 3 entries \(one per row of W, a class\), got shape \(1, 3\)$",
    ),
    (
        {"b": 0.5},
        ValueError,
        r"^b must be 1-D with 3 entries \(one per row of W, a class\), got shape \(\)$",
    ),
    (
        {"Y": [0, 1, 2, 0]},
        ValueError,
        r"^Y must be 2-D, one row per example and one column per class: X has 4 rows and W "
        r"3 classes, so Y must have shape \(4, 3\); got \(4,\)$",
    ),
    (
        {"Y": np.eye(3)},
        ValueError,
        r"^Y must be 4 × 3, .*so Y must have shape \(4, 3\); got \(3, 3\)$",
    ),
    (
        {"Y": np.array(Y).T},
        ValueError,
        r"^Y must be 4 × 3, .*got \(3, 4\)$",
    ),
    (
        {"X": [[1.0, 2.0], [np.nan, 0.5], [0, 4], [1, 1]]},
        ValueError,
        r"^X contains NaN at row 1, column 0$",
    ),
    (
        {"W": [[0.5, 2.0], [-1.0, np.inf], [0.25, -0.5]]},
        ValueError,
        r"^W contains inf at row 1, column 1$",
    ),
    ({"b": [0.1, -np.inf, 0.0]}, ValueError, r"^b contains -inf at entry 1$"),
    (
        {"Y": [[1, 0, 0], [0, 1, 0], [0, 0, np.nan], [0.25, 0.25, 0.5]]},
        ValueError,
        r"^Y contains NaN at row 2, column 2$",
    ),
    (
        {"Y": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1.25, -0.25, 0.0]]},
        ValueError,
        r"^Y must be non-negative; found -0.25 at row 3, column 1$",
    ),
    (
        {"Y": [[1, 0, 0], [0, 0.9, 0], [0, 0, 1], [0.25, 0.25, 0.5]]},
        ValueError,
        r"^each row of Y must sum to 1 \(a probability distribution over the 3 classes\); "
        r"row 1 sums to 0.9$",
    ),
    (
        {"Y": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]},
        ValueError,
        r"^each row of Y must sum to 1 .*; row 3 sums to 2.0$",
    ),
    ({"X": np.array(X, dtype=complex)}, TypeError, r"^X must hold real numbers, got complex128$"),
    ({"W": np.array(W, dtype=object)}, TypeError, r"^W must hold real numbers, got object$"),
    ({"b": ["0", "1", "2"]}, TypeError, r"^b must hold real numbers, got <U1$"),
    ({"Y": np.array(Y, dtype=complex)}, TypeError, r"^Y must hold real numbers, got complex128$"),
    (
        {"X": [[1e300, 0.0], [0, 0], [0, 0], [0, 0]], "W": [[1e300, 0], [0, 0], [0, 0]]},
        ValueError,
        r"^the logits Z = XWᵀ \+ b overflow \(row 0, class 0 gives inf\)$",
    ),
    (
        {"X": [[1e308, 0.0], [0, 0], [0, 0], [0, 0]], "W": [[1.5, 0], [-1.5, 0], [0, 0]]},
        ValueError,
        r"^the logits of row 0 differ by more than the largest float$",
    ),
]


@pytest.mark.parametrize("function", [softmax_cost, softmax_gradient, complex_softmax_cost])
@pytest.mark.parametrize(("change", "error", "message"), BAD_INPUT)
def test_bad_input_raises_a_clear_error(function, change, error, message):
    arguments = {"W": W, "b": B, "X": X, "Y": Y, **change}
    with pytest.raises(error, match=message):
        function(**arguments)


def test_the_row_sum_tolerance_is_the_square_root_of_eps():
    assert math.sqrt(EPS) == ROW_SUM_TOLERANCE
    third = [[1 / 3, 1 / 3, 1 / 3]]  # sums to 1 only to within rounding
    softmax_cost([[0.0], [0.0], [0.0]], [0, 0, 0], [[1.0]], third)
    with pytest.raises(ValueError, match=r"row 0 sums to 1\.0000001$"):
        softmax_cost([[0.0], [0.0], [0.0]], [0, 0, 0], [[1.0]], [[0.5, 0.5, 1e-7]])


def test_the_callers_arrays_are_never_modified():
    arrays = [np.array(W), np.array(B), np.array(X), np.array(Y, dtype=float)]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.flags.writeable = False  # any write into them would raise
    softmax_cost(*arrays)
    softmax_gradient(*arrays)
    complex_softmax_cost(*arrays)
    check_softmax_gradient(*arrays)
    Z = np.array([[0.0, -np.inf, 3.0]])
    Z.flags.writeable = False
    softmax(Z), log_softmax(Z), categorical_cross_entropy(Z, [[1.0, 0.0, 0.0]])
    for a, original in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, original)


def test_integer_and_boolean_data_are_numbers():
    as_float = softmax_cost(np.array(W), np.array(B), np.array(X), np.array(Y, dtype=float))
    Y_bool = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=bool)
    assert softmax_cost(W, B, np.array(X, dtype=float), Y_bool) == softmax_cost(
        W, B, X, Y_bool.astype(float)
    )
    assert softmax_cost(W, B, X, Y) == as_float
    grad_W, grad_b = softmax_gradient(np.ones((2, 1), dtype=np.int32), [0, 1], [[2]], [[0, 1]])
    assert grad_W.dtype == grad_b.dtype == np.float64


def test_the_results_have_the_promised_types_and_shapes():
    assert type(softmax_cost(W, B, X, Y)) is float
    grad_W, grad_b = softmax_gradient(W, B, X, Y)
    assert grad_W.shape == (3, 2)
    assert grad_b.shape == (3,)
    assert type(complex_softmax_cost(W, B, X, Y)) is complex
    W_out, b_out, X_out, Y_out = validate_softmax_inputs(W, B, X, Y)
    assert all(a.dtype == np.float64 for a in (W_out, b_out, X_out, Y_out))


def test_categorical_cross_entropy_refuses_what_has_no_cost():
    with pytest.raises(ValueError, match=r"^Z contains nan at row 0, column 1$"):
        categorical_cross_entropy([[0.0, np.nan]], [[1, 0]])
    with pytest.raises(ValueError, match=r"^Z contains inf at row 1, column 0$"):
        categorical_cross_entropy([[0.0, 1.0], [np.inf, 0.0]], [[1, 0], [1, 0]])
    with pytest.raises(ValueError, match=r"^row 0 of Z is -inf for every class$"):
        categorical_cross_entropy([[-np.inf, -np.inf]], [[1, 0]])
    with pytest.raises(ValueError, match=r"^Z must be 2-D, n × K \(one row per example\)"):
        categorical_cross_entropy([0.0, 1.0], [1, 0])
    with pytest.raises(ValueError, match=r"^Y must be 1 × 2, .*: Z has 2 classes"):
        categorical_cross_entropy([[0.0, 1.0]], [[1, 0, 0]])
    with pytest.raises(ValueError, match=r"^Z has no rows"):
        categorical_cross_entropy(np.zeros((0, 2)), np.zeros((0, 2)))


def test_one_hot_makes_rows_of_labels_and_refuses_what_is_not_a_class():
    np.testing.assert_array_equal(one_hot([1, 0, 1], 2), [[0, 1], [1, 0], [0, 1]])
    np.testing.assert_array_equal(one_hot(np.array([2.0]), 3), [[0, 0, 1]])
    with pytest.raises(
        ValueError, match=r"^labels must be class numbers 0, …, 2; found 3.0 at entry 1$"
    ):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"found 0.5 at entry 0$"):
        one_hot([0.5], 3)
    with pytest.raises(ValueError, match=r"found -1.0 at entry 0$"):
        one_hot([-1], 3)
    with pytest.raises(ValueError, match=r"^classes must be a positive integer, got 0$"):
        one_hot([0], 0)
    with pytest.raises(ValueError, match=r"^labels must be 1-D"):
        one_hot([[0]], 2)
    with pytest.raises(ValueError, match=r"^labels contains NaN at entry 0$"):
        one_hot([np.nan], 2)


# ------------------------------------------------------------- softmax's conventions


def test_softmax_keeps_the_shape_and_works_along_the_last_axis():
    Z = np.arange(24.0).reshape(2, 3, 4) / 7
    A = softmax(Z)
    assert A.shape == (2, 3, 4)
    np.testing.assert_allclose(A, np.exp(Z) / np.exp(Z).sum(axis=-1, keepdims=True), rtol=4 * EPS)
    assert softmax([5.0]).tolist() == [1.0]
    assert log_softmax([5.0]).tolist() == [0.0]
    assert softmax(np.zeros((0, 3))).shape == (0, 3)


def test_rows_without_a_softmax_give_nan_and_minus_inf_gives_zero():
    Z = np.array([[0.0, np.nan], [np.inf, 0.0], [-np.inf, -np.inf], [0.0, -np.inf]])
    A, L = softmax(Z), log_softmax(Z)
    assert np.isnan(A[:3]).all()
    assert np.isnan(L[:3]).all()
    assert A[3].tolist() == [1.0, 0.0]
    assert L[3].tolist() == [0.0, -np.inf]


def test_softmax_refuses_what_has_no_classes():
    with pytest.raises(ValueError, match=r"^Z must be at least 1-D"):
        softmax(1.0)
    with pytest.raises(ValueError, match=r"^Z has no classes"):
        log_softmax(np.zeros((2, 0)))
    with pytest.raises(TypeError, match=r"^Z must hold real numbers, got complex128$"):
        softmax([1j, 0])


# ------------------------------------------------------------- section 8: the contract


def dyadic_logits(rng, shape, spread=60.0):
    """Logits that are multiples of 2^-20 below ``spread``: adding 1e8 to them is exact."""
    return np.round(rng.uniform(-spread, spread, size=shape) * 2**20) / 2**20


def relative_change(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1), 0.0)


@pytest.mark.parametrize("shift", [1e6, -1e6, 1e8, -1e8])
@pytest.mark.parametrize("seed", range(3))
def test_shifting_every_logit_changes_nothing_beyond_2_eps(seed, shift):
    rng = np.random.default_rng(seed)
    Z = dyadic_logits(rng, (6, 5))
    assert ((Z + shift) - shift == Z).all()  # the shift itself is exact
    Y_ = rng.dirichlet(np.ones(5), size=6)
    assert relative_change(softmax(Z + shift), softmax(Z)).max() <= 2 * EPS
    assert relative_change(log_softmax(Z + shift), log_softmax(Z)).max() <= 2 * EPS
    c, c_shifted = categorical_cross_entropy(Z, Y_), categorical_cross_entropy(Z + shift, Y_)
    assert relative_change(c_shifted, c) <= 2 * EPS
    # Through the layer: X = Z and W = I form the logits exactly; the bias shifts them.
    K = Z.shape[1]
    for one, other in zip(
        softmax_gradient(np.eye(K), np.zeros(K), Z, Y_),
        softmax_gradient(np.eye(K), np.full(K, shift), Z, Y_),
        strict=True,
    ):
        assert relative_change(other, one).max() <= 2 * EPS
    assert (
        relative_change(
            softmax_cost(np.eye(K), np.full(K, shift), Z, Y_),
            softmax_cost(np.eye(K), np.zeros(K), Z, Y_),
        )
        <= 2 * EPS
    )


def test_a_minus_inf_logit_for_another_class_gives_a_finite_cost():
    Z = np.array([[2.0, -np.inf, 0.5], [-np.inf, 1.0, -3.0]])
    Y_ = np.array([[0.75, 0.0, 0.25], [0.0, 1.0, 0.0]])
    c = categorical_cross_entropy(Z, Y_)
    assert math.isfinite(c)
    # A ruled-out class is as if it were not there.
    without = [
        categorical_cross_entropy(Z[[r]][:, keep], Y_[[r]][:, keep])
        for r, keep in [(0, [0, 2]), (1, [1, 2])]
    ]
    assert abs(c - sum(without) / 2) <= 4 * EPS * c
    # For the target class it is an infinite cost, not a NaN.
    assert categorical_cross_entropy([[-np.inf, 0.0]], [[1.0, 0.0]]) == math.inf


@given(
    Z=arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(1, 8)),
        elements=st.one_of(
            st.sampled_from([0.0, 1e-300, -1e-300, 37.0, -745.0, 710.0, 1e300, -1e300]),
            st.floats(-1e300, 1e300),
            st.floats(-800.0, 800.0),
        ),
    )
)
# The smaller probabilities are subnormal, their sum s = 2.3e-308 normal: found by Hypothesis.
@example(Z=np.array([[710.0, 0.03125, 0.03125, 0.03125, 0.03125, 0.03125]]))
def test_probabilities_are_finite_sum_to_1_and_agree_with_the_reference(Z):
    A, L = softmax(Z), log_softmax(Z)
    assert np.isfinite(A).all()
    assert ((A >= 0) & (A <= 1)).all()
    assert (L <= 0).all()
    assert (np.abs(A.sum(axis=1) - 1.0) <= 1e-11).all()
    K = Z.shape[1]
    for z, a, lg in zip(Z, A, L, strict=True):
        probabilities, logs, _ = ref_row(z)
        # s, the sum of the K - 1 smaller exponentials, may be a sum of subnormal numbers.
        errors = [error_in_eps(p, q, K - 1) for p, q in zip(a, probabilities, strict=True)]
        assert max(errors) <= 2
        # A log-probability below -max float is -inf; that is its nearest float.
        errors = [
            error_in_eps(p, q, K - 1) if math.isfinite(p) else float(q < -np.finfo(float).max) - 1
            for p, q in zip(lg, logs, strict=True)
        ]
        assert max(errors) <= 2


@st.composite
def labelled_logits(draw):
    n, K = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    width = draw(st.one_of(st.floats(0.01, 800.0), st.sampled_from([1e5, 1e150, 1e300])))
    Z = draw(arrays(np.float64, (n, K), elements=st.floats(-width, width)))
    if draw(st.booleans()):
        Y_ = one_hot(draw(arrays(np.int64, (n,), elements=st.integers(0, K - 1))), K)
    else:
        weights = draw(arrays(np.float64, (n, K), elements=st.floats(0.0, 1.0)))
        assume((weights.sum(axis=1) > 0.01).all())
        Y_ = weights / weights.sum(axis=1, keepdims=True)
    return Z, Y_


@given(problem=labelled_logits())
def test_the_cost_and_the_residual_agree_with_the_reference(problem):
    Z, Y_ = problem
    n, K = Z.shape
    c = categorical_cross_entropy(Z, Y_)
    assert math.isfinite(c)
    assert c >= 0
    # Each term: 2 eps for the log-probability, 1 for the product; K terms summed in
    # sequence; the mean of n: (4 + K + log2 n) eps in all.
    assert error_in_eps(c, ref_cost(Z, Y_), K - 1) <= 4 + K + math.log2(n)
    hard = set(np.unique(Y_)) <= {0.0, 1.0}
    for z, y in zip(Z, Y_, strict=True):
        # X = the row, W = I, b = 0: the logits are formed exactly and grad_b is the residual.
        _, R = softmax_gradient(np.eye(K), np.zeros(K), z[None, :], y[None, :])
        _, _, exact = ref_row(z, y)
        if hard:
            assert max(error_in_eps(r, e, K - 1) for r, e in zip(R, exact, strict=True)) <= 4
        else:
            assert max(abs(r - float(e)) for r, e in zip(R, exact, strict=True)) <= (K + 2) * EPS


# ------------------------------------------------------------- two classes


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("scale", [1.0, 40.0])
def test_two_classes_are_the_binary_cost_of_the_logit_difference(seed, scale):
    rng = np.random.default_rng(seed)
    n, k = 10, 3
    X_ = rng.normal(size=(n, k))
    w = rng.normal(scale=scale, size=k)
    b = float(rng.normal())
    y = np.where(rng.random(n) < 0.3, rng.random(n), (rng.random(n) < 0.5).astype(float))
    # The second class has logit 0, so z_1 - z_2 is the binary logit, formed alike.
    W2, b2, Y2 = np.vstack([w, np.zeros(k)]), np.array([b, 0.0]), np.column_stack([y, 1 - y])
    c2, c = softmax_cost(W2, b2, X_, Y2), xentropy.cost(w, b, X_, y)
    assert abs(c2 - c) <= 8 * EPS * c
    grad_W, grad_b = softmax_gradient(W2, b2, X_, Y2)
    grad_w, grad_b1 = xentropy.gradient(w, b, X_, y)
    scale_j = np.abs(X_).T @ np.ones(n) / n  # the size of the terms of each component
    assert (np.abs(grad_W[0] - grad_w) <= 8 * EPS * scale_j).all()
    assert abs(grad_b[0] - grad_b1) <= 8 * EPS
    np.testing.assert_array_equal(grad_W[1], -grad_W[0])
    assert softmax([[3.0, 0.0]])[0, 0] == xentropy.sigmoid(3.0)


# ------------------------------------------------------------- the gradient checks


def problem(seed, n=12, k=3, classes=4, scale=2.0, labels="hard"):
    rng = np.random.default_rng(seed)
    X_ = rng.normal(size=(n, k))
    W_ = rng.normal(scale=scale, size=(classes, k)) / np.sqrt(k)
    b_ = rng.normal(scale=scale / 2, size=classes)
    if labels == "hard":
        Y_ = one_hot(rng.integers(0, classes, n), classes)
    else:
        Y_ = rng.dirichlet(np.ones(classes), size=n)
    return W_, b_, X_, Y_


CASES = {
    "moderate logits": lambda s: problem(s),
    "large logits": lambda s: problem(s, scale=40.0),
    "soft labels": lambda s: problem(s, labels="soft"),
    "n = 1": lambda s: problem(s, n=1),
    "two classes": lambda s: problem(s, classes=2),
    "one class": lambda s: problem(s, classes=1),
    # The first example is all zeros and b = 0, so its K logits are exactly 0.
    "some logits exactly 0": lambda s: (
        problem(s)[0],
        np.zeros(4),
        np.vstack([np.zeros(3), problem(s)[2][1:]]),
        problem(s)[3],
    ),
}


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("case", CASES)
def test_the_gradient_passes_against_both_referees(case, seed):
    W_, b_, X_, Y_ = CASES[case](seed)
    by_complex_step = check_softmax_gradient(W_, b_, X_, Y_)
    assert by_complex_step.passed, by_complex_step
    assert by_complex_step.worst <= 1e-13, by_complex_step
    by_central_differences = check_softmax_gradient(W_, b_, X_, Y_, method="central")
    assert by_central_differences.passed, by_central_differences
    assert by_central_differences.tolerance == GOOD
    assert len(by_complex_step.parameters) == W_.size + b_.size


def test_complex_cost_is_the_cost_on_real_arguments():
    W_, b_, X_, Y_ = problem(0, labels="soft")
    c = complex_softmax_cost(W_, b_, X_, Y_)
    assert c.imag == 0.0
    assert abs(c.real - softmax_cost(W_, b_, X_, Y_)) <= 8 * EPS * c.real


def sigma_prime_kept(W_, b_, X_, Y_):
    # The binary habit carried over: (a - y) times a(1 - a), as with the quadratic cost.
    A = softmax(X_ @ W_.T + b_)
    R = (A - Y_) * A * (1 - A) / X_.shape[0]
    return R.T @ X_, R.sum(axis=0)


WRONG = {
    "forgot_the_mean": "all",
    "flipped_sign": "all",
    "no_bias_gradient": ("b_1", "b_2", "b_3", "b_4"),
    "one_entry_one_percent_off": ("W_3,2",),
    "sigma_prime_kept": "all",
}


@pytest.mark.parametrize("method", ["complex", "central"])
@pytest.mark.parametrize("wrong", WRONG)
def test_a_wrong_gradient_fails_where_it_is_wrong(wrong, method, usual_mistakes):
    W_, b_, X_, Y_ = problem(1)
    mistakes = usual_mistakes(softmax_gradient, (0, (2, 1))) | {
        "sigma_prime_kept": sigma_prime_kept
    }
    check = check_softmax_gradient(W_, b_, X_, Y_, mistakes[wrong], method=method)
    assert not check.passed
    expected = check.parameters if WRONG[wrong] == "all" else WRONG[wrong]
    assert check.failed == expected


def test_X_where_X_transpose_belongs_fails_for_a_square_X():
    def X_not_transposed(W_, b_, X_, Y_):
        R = (softmax(X_ @ W_.T + b_) - Y_) / X_.shape[0]
        return (X_ @ R).T, R.sum(axis=0)

    W_, b_, X_, Y_ = problem(2, n=3, k=3, classes=2)
    check = check_softmax_gradient(W_, b_, X_, Y_, X_not_transposed)
    assert set(check.failed) == {f"W_{c},{j}" for c in (1, 2) for j in (1, 2, 3)}
    # With a non-square X it cannot even be computed, and the check stops.
    with pytest.raises(ValueError, match="matmul"):
        check_softmax_gradient(*problem(2, n=4, k=3, classes=2), X_not_transposed)

    def transposed(W_, b_, X_, Y_):
        grad_W, grad_b = softmax_gradient(W_, b_, X_, Y_)
        return grad_W.T, grad_b

    with pytest.raises(ValueError, match=r"^the gradient function returned shapes \(3, 2\)"):
        check_softmax_gradient(W_, b_, X_, Y_, transposed)
    with pytest.raises(ValueError, match=r"^method must be 'complex' or 'central', got 'forward'$"):
        check_softmax_gradient(W_, b_, X_, Y_, method="forward")


def test_the_naive_softmax_fails_where_the_stable_one_does_not():
    # What the property tests above would catch: exp overflows at a logit of 710.
    def naive(Z):
        e = np.exp(Z)
        return e / e.sum(axis=-1, keepdims=True)

    with pytest.raises(FloatingPointError):
        naive(np.array([710.0, 0.0]))
    assert softmax([710.0, 0.0]).tolist() == [1.0, float(np.exp(-710.0))]
