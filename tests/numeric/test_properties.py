"""Property-based tests of the NumPy core (docs/numbers.md, section 7).

Each property is written once, as a function of an implementation, and run by
Hypothesis against ``xentropy.numeric``: it must hold for every example. The
same properties run against the textbook formula -[y ln σ + (1 - y) ln(1 - σ)]
must fail, which shows they are sharp enough to catch what the stable forms
exist to prevent (the first casualty: z = 37, y = 0, where σ(z) rounds to 1).

Floating point cannot keep an identity exactly; where a property is an
identity of the exact functions, it is checked to within the accuracy each side
is promised (section 3), and the tolerance says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import Phase
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from xentropy import cost
from xentropy import gradient
from xentropy import sigmoid
from xentropy.gradcheck import central_difference
from xentropy.numeric import blocks

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)

# The promises of docs/numbers.md, section 3, in units of eps (the page states the same
# numbers, and test_the_book_states_what_these_tests_draw_and_allow holds it to them).
SIGMA_BOUND = 2  # relative, plus TINY where the result underflows
LOSS_HARD_BOUND = 2  # relative, the same allowance; y in {0, 1}
LOSS_SOFT_BOUND = 4  # relative, the same allowance; 0 < y < 1
RESIDUAL_HARD_BOUND = 2  # relative, the same allowance; y in {0, 1}
RESIDUAL_SOFT_BOUND = 2  # absolute; 0 < y < 1
GRADIENT_BOUND = 64  # times the scale S_j
# Section 7: the identities of the exact functions, kept as far as each side's errors allow.
SYMMETRY_BOUND, SIGMA_SUM_BOUND, LN2_BOUND = 8, 3, 2


@dataclass(frozen=True)
class Implementation:
    """σ, the loss and the residual of one example, and the cost and gradient of a data set."""

    sigmoid: Any
    cost: Any
    gradient: Any

    def loss(self, z: float, y: float) -> float:
        return self.cost([1.0], 0.0, [[z]], [y])

    def residual(self, z: float, y: float) -> float:
        return self.gradient([1.0], 0.0, [[z]], [y])[1]


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def naive_cost(w, b, X, y):
    s = naive_sigmoid(np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(s) + (1 - y) * np.log(1 - s)))


def naive_gradient(w, b, X, y):
    X = np.asarray(X, dtype=float)
    r = naive_sigmoid(X @ np.asarray(w, dtype=float) + b) - np.asarray(y, dtype=float)
    return X.T @ r / len(r), float(np.mean(r))


def through_the_compiled_pass(function):
    """``function`` taking the compiled pass (xentropy.numeric.fused) however small X is."""

    def compiled(*arguments):
        threshold, blocks.FUSED_BYTES = blocks.FUSED_BYTES, 0
        try:
            return function(*arguments)
        finally:
            blocks.FUSED_BYTES = threshold

    return compiled


STABLE = Implementation(sigmoid, cost, gradient)
COMPILED = Implementation(
    sigmoid, through_the_compiled_pass(cost), through_the_compiled_pass(gradient)
)
NAIVE = Implementation(naive_sigmoid, naive_cost, naive_gradient)

# The package's cost and gradient take the NumPy pass for a small X and the compiled one for a
# large X: every example is put to both (one draw and one 60-digit reference for the two).
PASSES = {"the NumPy pass": STABLE, "the compiled pass": COMPILED}
BOTH_PASSES = pytest.mark.parametrize("impl", PASSES.values(), ids=["numpy", "compiled"])


def in_both_passes(prop, reference, *arguments) -> None:
    """``prop`` of each pass of the package, on one example; a failure names the pass."""
    for name, impl in PASSES.items():
        try:
            prop(impl, reference, *arguments)
        except (AssertionError, FloatingPointError) as failure:
            raise type(failure)(f"{name}: {failure}") from failure


# ------------------------------------------------------------------- the inputs

EDGES = [0.0, 1e-300, 36.9, 37.0, 709.78, 710.0, 745.0, 1000.0, 1e300]
EDGES = sorted({s * e for e in EDGES for s in (1.0, -1.0)})
MODERATE = 800.0  # where σ goes from 1e-348 to 1 - 1e-348
MAX_N, MAX_K = 50, 5  # the sizes of the data sets

logits = st.one_of(
    st.sampled_from(EDGES),
    st.floats(-1e300, 1e300),  # every exponent, with Hypothesis' own nasty values
    st.floats(-MODERATE, MODERATE),
)
labels = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))


@st.composite
def examples(draw):
    """(z, y); sometimes y is σ(z) itself, where the residual is nothing but rounding."""
    z = draw(logits)
    y = draw(st.one_of(labels, st.just(float(sigmoid(z)))))
    return z, y


@st.composite
def problems(draw, max_n=MAX_N, max_k=MAX_K, small=False):
    """(w, b, X, y) with n in 1..max_n, k in 1..max_k and logits within ±1e300."""
    n, k = draw(st.integers(1, max_n)), draw(st.integers(1, max_k))
    if small:
        data, weights = st.floats(-10.0, 10.0), st.floats(-3.0, 3.0)
        bias = weights
    else:
        data = st.one_of(st.sampled_from(EDGES), st.floats(-1e3, 1e3))
        weights = st.one_of(
            st.sampled_from([0.0, 1.0, -1.0, 1e-300, 2.0**-10]), st.floats(-3.0, 3.0)
        )
        bias = logits
    X = draw(arrays(np.float64, (n, k), elements=data))
    w = draw(arrays(np.float64, (k,), elements=weights))
    b = draw(bias)
    y = draw(arrays(np.float64, (n,), elements=labels))
    with np.errstate(over="ignore", invalid="ignore"):
        z = X @ w + b
    assume(np.all(np.abs(z) <= 1e300))
    if draw(st.booleans()):
        # Labels the model fits exactly: the gradient is all cancellation.
        y = sigmoid(z)
    return w, b, X, y


# ----------------------------------------------------------- properties of one example


def finite_and_in_range(impl, reference, z, y):
    s, loss, r = impl.sigmoid(z), impl.loss(z, y), impl.residual(z, y)
    assert 0 <= s <= 1
    assert math.isfinite(loss)
    assert loss >= 0
    assert abs(r) <= 1


def agrees_with_the_reference(impl, reference, z, y):
    hard = y in (0.0, 1.0)
    assert reference.error_in_eps(impl.sigmoid(z), reference.sigmoid(z)) <= SIGMA_BOUND
    bound = LOSS_HARD_BOUND if hard else LOSS_SOFT_BOUND
    assert reference.error_in_eps(impl.loss(z, y), reference.loss(z, y)) <= bound
    r, exact = impl.residual(z, y), reference.residual(z, y)
    if hard:
        assert reference.error_in_eps(r, exact) <= RESIDUAL_HARD_BOUND
    else:
        assert abs(r - float(exact)) <= RESIDUAL_SOFT_BOUND * EPS


def symmetric(impl, reference, z, y):
    # 1 - (1 - y) == y only when 1 - y is exact; this y makes it so, and then
    # ℓ(z, y) and ℓ(-z, 1 - y) are the same number, each within 4 eps of it.
    y = 1.0 - (1.0 - y)
    assert 1.0 - (1.0 - y) == y
    a, b = impl.loss(z, y), impl.loss(-z, 1.0 - y)
    assert abs(a - b) <= SYMMETRY_BOUND * EPS * max(a, b) + TINY
    assert abs(impl.sigmoid(z) + impl.sigmoid(-z) - 1.0) <= SIGMA_SUM_BOUND * EPS
    assert abs(impl.loss(0.0, y) - math.log(2)) <= LN2_BOUND * EPS * math.log(2)


def monotone(impl, reference, z1, z2):
    # ℓ(·, 0) and σ increase and ℓ(·, 1) decreases; computed values are each
    # within 2 eps of exact ones, so the order may flip only by that much.
    low, high = min(z1, z2), max(z1, z2)
    slack = 1 + 4 * EPS
    assert impl.sigmoid(low) <= impl.sigmoid(high) * slack + TINY
    assert impl.loss(low, 0.0) <= impl.loss(high, 0.0) * slack + TINY
    assert impl.loss(high, 1.0) <= impl.loss(low, 1.0) * slack + TINY


ONE_EXAMPLE = [finite_and_in_range, agrees_with_the_reference, symmetric]


@given(example=examples())
def test_one_example_is_finite_and_in_range(reference, example):
    in_both_passes(finite_and_in_range, reference, *example)


@given(example=examples())
def test_one_example_agrees_with_the_reference(reference, example):
    in_both_passes(agrees_with_the_reference, reference, *example)


@given(example=examples())
def test_one_example_keeps_the_symmetries(reference, example):
    in_both_passes(symmetric, reference, *example)


@given(z1=logits, z2=logits)
def test_the_loss_and_sigmoid_are_monotone_in_z(reference, z1, z2):
    in_both_passes(monotone, reference, z1, z2)


# ------------------------------------------------------------ properties of a data set


def cost_and_gradient_agree_with_the_reference(impl, reference, problem):
    w, b, X, y = problem
    c = impl.cost(w, b, X, y)
    grad_w, grad_b = impl.gradient(w, b, X, y)
    assert math.isfinite(c)
    assert c >= 0
    assert np.isfinite(grad_w).all()
    assert math.isfinite(grad_b)
    exact = reference.exact(w, b, X, y)
    assert exact.cost_error(c) <= exact.cost_bound
    assert (exact.gradient_error(grad_w, grad_b) <= GRADIENT_BOUND).all()


def invariant_under_permutation_and_duplication(impl, reference, problem, order):
    # The exact cost and gradient do not change; the computed ones may move by
    # the sum of the two errors each is allowed.
    w, b, X, y = problem
    c = impl.cost(w, b, X, y)
    grad = np.append(*impl.gradient(w, b, X, y))
    exact = reference.exact(w, b, X, y)
    order = np.asarray(order)
    for X2, y2 in [(X[order], y[order]), (np.vstack([X, X]), np.concatenate([y, y]))]:
        # Same exact values, so the same bounds, but for log2 n in the cost's.
        c2 = impl.cost(w, b, X2, y2)
        assert abs(c2 - c) <= exact.cost_allowance() + exact.cost_allowance(len(y2))
        grad2 = np.append(*impl.gradient(w, b, X2, y2))
        allowed = 2 * GRADIENT_BOUND * (EPS * exact.scale + 2.0**-1074)
        assert (np.abs(grad2 - grad) <= allowed).all()


def agrees_with_central_differences(impl, reference, problem):
    # Central differences are off by round-off, |δ|/h, where δ bounds the error
    # of a computed cost, plus truncation, h² |∂³C/∂θ_j³| / 6 with
    # |∂³C/∂θ_j³| <= max|σ''| mean_i |X_ij|³ and max|σ''| = 1/(6√3).
    # Twice that sum is allowed, plus the analytic gradient's own error.
    w, b, X, y = problem
    n, k = X.shape
    theta = np.append(w, b)
    columns = np.column_stack([X, np.ones(n)])

    def f(t):
        return impl.cost(t[:k], t[k], X, y)

    estimate = central_difference(f, theta)
    analytic = np.append(*impl.gradient(w, b, X, y))
    scale = reference.exact(w, b, X, y).scale
    size_of_z = np.abs(X) @ np.abs(w) + abs(b)
    for j in range(k + 1):
        h = np.cbrt(EPS) * max(1.0, abs(theta[j]))
        step = np.zeros(k + 1)
        step[j] = h
        largest_cost = max(f(theta + step), f(theta - step))
        delta = (4 + np.log2(n)) * EPS * largest_cost + (k + 1) * EPS * (size_of_z.mean() + h)
        truncation = h**2 * np.mean(np.abs(columns[:, j]) ** 3) / (6 * np.sqrt(3)) / 6
        allowed = 2 * (delta / h + truncation) + GRADIENT_BOUND * EPS * scale[j]
        assert abs(estimate[j] - analytic[j]) <= allowed, (j, estimate[j], analytic[j])


@given(problem=problems())
def test_cost_and_gradient_agree_with_the_reference(reference, problem):
    in_both_passes(cost_and_gradient_agree_with_the_reference, reference, problem)


@given(data=st.data())
def test_permuting_or_duplicating_the_rows_changes_nothing(reference, data):
    problem = data.draw(problems())
    order = data.draw(st.permutations(range(problem[2].shape[0])))
    in_both_passes(invariant_under_permutation_and_duplication, reference, problem, order)


@given(problem=problems(max_n=10, max_k=3, small=True))
def test_the_gradient_agrees_with_central_differences(reference, problem):
    in_both_passes(agrees_with_central_differences, reference, problem)


# ------------------------------------------------- the same properties, naive formula

# These tests need only to know that Hypothesis finds a counterexample: shrinking it to the
# smallest one (the most part of their time) is for reading a failure, which here is the pass.
FIND_ONLY = (Phase.explicit, Phase.reuse, Phase.generate)


@pytest.mark.parametrize("prop", ONE_EXAMPLE, ids=lambda p: p.__name__)
def test_the_one_example_properties_catch_the_naive_formula(reference, prop):
    @settings(report_multiple_bugs=False, phases=FIND_ONLY)
    @given(example=examples())
    def run(example):
        prop(NAIVE, reference, *example)

    with pytest.raises((AssertionError, FloatingPointError)):
        run()


def test_monotonicity_catches_the_naive_formula(reference):
    @settings(report_multiple_bugs=False, phases=FIND_ONLY)
    @given(z1=logits, z2=logits)
    def run(z1, z2):
        monotone(NAIVE, reference, z1, z2)

    with pytest.raises((AssertionError, FloatingPointError)):
        run()


@pytest.mark.parametrize(
    ("prop", "strategy"),
    [
        (cost_and_gradient_agree_with_the_reference, problems()),
        (agrees_with_central_differences, problems(max_n=10, max_k=3, small=True)),
    ],
    ids=["reference", "central differences"],
)
def test_the_data_set_properties_catch_the_naive_formula(reference, prop, strategy):
    @settings(report_multiple_bugs=False, phases=FIND_ONLY)
    @given(problem=strategy)
    def run(problem):
        prop(NAIVE, reference, problem)

    with pytest.raises((AssertionError, FloatingPointError)):
        run()


def test_invariance_catches_the_naive_formula(reference):
    @settings(report_multiple_bugs=False, phases=FIND_ONLY)
    @given(data=st.data())
    def run(data):
        problem = data.draw(problems())
        order = data.draw(st.permutations(range(problem[2].shape[0])))
        invariant_under_permutation_and_duplication(NAIVE, reference, problem, order)

    with pytest.raises((AssertionError, FloatingPointError)):
        run()


def test_the_naive_formula_fails_at_37_and_the_stable_one_does_not():
    with np.errstate(divide="ignore"):
        assert NAIVE.loss(37.0, 0.0) == math.inf  # σ(37) rounds to 1: ln(1 - σ) = ln 0
    assert STABLE.loss(37.0, 0.0) == pytest.approx(37.0, rel=EPS)
    with pytest.raises(FloatingPointError):
        NAIVE.loss(37.0, 0.0)


# ------------------------------------------------------- cases the properties found


@BOTH_PASSES
@pytest.mark.parametrize("n", [26, 52, 4096])
def test_a_subnormal_residual_keeps_its_digits_whatever_n(impl, reference, n):
    # Found by test_permuting_or_duplicating_the_rows_changes_nothing: σ(b) - 1/2 = b/4 is
    # subnormal here, and r / n formed before the product loses its low bits, which X = -1e300
    # magnifies into the gradient (1031 eps at n = 52 on both passes when it was found).
    w, b = np.array([0.0]), 2.225073858507203e-309
    X, y = np.full((n, 1), -1e300), np.full(n, 0.5)
    exact = reference.exact(w, b, X, y)
    assert (exact.gradient_error(*impl.gradient(w, b, X, y)) <= GRADIENT_BOUND).all()


# ---------------------------------------------------------- what the book says of them


def test_the_book_states_what_these_tests_draw_and_allow(page_constants, reference):
    # docs/numbers.md (sections 3 and 7) tells the reader how many examples run, what they are
    # drawn from and what each result may be off by; its numbers are typed in its cells.
    book = page_constants("numbers")
    ours = {
        "HYPOTHESIS_EXAMPLES": settings.get_profile("xentropy").max_examples,
        "QUICK_EXAMPLES": settings.get_profile("quick").max_examples,
        "EDGES": EDGES,
        "MODERATE": MODERATE,
        "MAX_N": MAX_N,
        "MAX_K": MAX_K,
        "DIGITS": reference.DIGITS,
        "SIGMA_BOUND": SIGMA_BOUND,
        "LOSS_HARD_BOUND": LOSS_HARD_BOUND,
        "LOSS_SOFT_BOUND": LOSS_SOFT_BOUND,
        "RESIDUAL_HARD_BOUND": RESIDUAL_HARD_BOUND,
        "RESIDUAL_SOFT_BOUND": RESIDUAL_SOFT_BOUND,
        "GRADIENT_BOUND": GRADIENT_BOUND,
        "SYMMETRY_BOUND": SYMMETRY_BOUND,
        "SIGMA_SUM_BOUND": SIGMA_SUM_BOUND,
        "LN2_BOUND": LN2_BOUND,
    }
    stated = {name: book[name] for name in ours}
    stated["EDGES"] = sorted({s * e for e in book["EDGES"] for s in (1.0, -1.0)})  # both signs
    assert stated == ours
