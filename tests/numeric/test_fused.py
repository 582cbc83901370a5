"""The compiled pass (xentropy.numeric.fused) computes what the NumPy pass computes.

The two differ only in the order the logit's products are summed (eight partial sums against
the BLAS's own): they agree to a few eps, not bit for bit. Where a logit is not finite the
compiled pass hands the call back to the NumPy pass, so the errors are the same, word for
word. Whether the compiled pass is faster is measured by ``make bench``, never here.
"""

from __future__ import annotations

import math
import multiprocessing
import re
import threading
import types

import numba
import numpy as np
import pytest

from xentropy import cost
from xentropy import gradient
from xentropy import sigmoid
from xentropy.numeric import blocks
from xentropy.numeric import fused

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)


@pytest.fixture
def through(monkeypatch):
    """``through("compiled")`` or ``through("numpy")``: the pass cost and gradient take next."""

    def take(name):
        monkeypatch.setattr(blocks, "FUSED_BYTES", 0 if name == "compiled" else 2**62)

    return take


def both(through, function, *arguments):
    """``function(*arguments)`` through the NumPy pass, then through the compiled one."""
    through("numpy")
    numpy_result = function(*arguments)
    through("compiled")
    return numpy_result, function(*arguments)


def problem(seed, n=300, k=7, scale=3.0, labels="hard"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * rng.choice([0.01, 1.0, 100.0], size=(n, 1))
    w = rng.normal(scale=scale, size=k) / np.sqrt(k)
    y = rng.random(n) if labels == "soft" else (rng.random(n) < 0.5).astype(float)
    return w, float(rng.normal()), X, y


def gradient_scale(w, b, X, y):
    """S_j of the numeric contract: the size of ∂C/∂θ_j's terms, and the logit's rounding."""
    r = np.abs(sigmoid(X @ w + b) - y)
    per_row = r + (np.abs(X) @ np.abs(w) + abs(b)) / 4
    return np.column_stack([np.abs(X), np.ones(len(y))]).T @ per_row / len(y)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("labels", ["hard", "soft"])
@pytest.mark.parametrize("k", [1, 7, 8, 64, 67])
def test_the_two_passes_agree_on_random_problems(through, seed, labels, k):
    w, b, X, y = problem(seed, k=k, labels=labels)
    (numpy_w, numpy_b), (compiled_w, compiled_b) = both(through, gradient, w, b, X, y)
    # Each is within the contract's 64 eps of each component's scale of the exact gradient;
    # here they are much closer, the logits differing only in the order of their sums.
    scale = gradient_scale(w, b, X, y)
    difference = np.abs(np.append(compiled_w, compiled_b) - np.append(numpy_w, numpy_b))
    assert (difference <= 8 * EPS * scale).all()
    numpy_cost, compiled_cost = both(through, cost, w, b, X, y)
    assert compiled_cost == pytest.approx(numpy_cost, rel=(4 + math.log2(len(y))) * EPS)


def test_soft_labels_near_sigma_at_small_logits_keep_the_expm1_form(through, reference):
    # y = σ(z) rounded: the residual is σ's rounding error, a few 1e-18, which only the expm1
    # form keeps; X a column and w = 1, so that z is formed exactly by both passes. Both are
    # held to the reference, not to each other: NumPy's exp and expm1 are its own, the loop's
    # the C library's, and the two may differ in the last bit.
    z = np.array([1e-10, -1e-10, 1e-3, -1e-3, 0.3, -0.7, 0.999, -0.999, 1e-300])
    y = sigmoid(z)
    for zi, yi in zip(z, y, strict=True):
        exact = reference.exact([1.0], 0.0, [[zi]], [yi])
        residual = reference.residual(zi, yi)
        for grad_w, grad_b in both(through, gradient, [1.0], 0.0, [[zi]], [yi]):
            assert (exact.gradient_error(grad_w, grad_b) <= 64).all(), zi
            assert abs(grad_b - float(residual)) <= 2 * EPS, zi  # docs/numbers.md, section 3


@pytest.mark.parametrize("z", [36.9, 40.0, -40.0, 45.5, 700.0, -745.0])
def test_hard_labels_far_out_keep_the_residual_to_full_relative_precision(through, reference, z):
    # r = σ(40) − 1 ≈ −4.2e-18: a difference would round it to 0; the hard-label form keeps
    # every digit, and so does the loss. One row, so that ∂C/∂b is the residual itself.
    through("compiled")
    for label in (0.0, 1.0):
        _, residual = gradient([1.0], 0.0, [[z]], [label])
        assert reference.error_in_eps(residual, reference.residual(z, label)) <= 2
        assert (
            reference.error_in_eps(cost([1.0], 0.0, [[z]], [label]), reference.loss(z, label)) <= 2
        )


def error_of(function, *arguments):
    with pytest.raises(
        ValueError, match=r"^(X contains|the logits z = Xw \+ b overflow)"
    ) as raised:
        function(*arguments)
    return str(raised.value)


BAD_ROWS = {
    "NaN": lambda X, w: X.__setitem__((70, 2), np.nan),
    "inf": lambda X, w: X.__setitem__((70, 2), np.inf),
    "-inf": lambda X, w: X.__setitem__((130, 0), -np.inf),
    "inf under a zero weight": lambda X, w: (X.__setitem__((70, 2), np.inf), w.__setitem__(2, 0)),
    "NaN under a zero weight": lambda X, w: (X.__setitem__((9, 1), np.nan), w.__setitem__(1, 0)),
    "an overflowing logit": lambda X, w: (X.__setitem__(88, 1e300), w.__setitem__(0, 1e300)),
    "inf minus inf": lambda X, w: (X.__setitem__(88, 1e308), w.__setitem__(slice(0, 2), [10, -10])),
    "an overflow before a NaN": lambda X, w: (
        X.__setitem__((20, 0), 1e300),
        w.__setitem__(0, 1e300),
        X.__setitem__((150, 1), np.nan),
    ),
}


@pytest.mark.parametrize("bad", BAD_ROWS)
@pytest.mark.parametrize("function", [cost, gradient])
def test_a_bad_row_gives_the_error_of_the_numpy_pass_word_for_word(
    through, monkeypatch, bad, function
):
    w, b, X, y = problem(3, n=200, k=3)
    BAD_ROWS[bad](X, w)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 16 * 8 * 3)  # blocks of 16 rows
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
    through("numpy")
    message = error_of(function, w, b, X, y)
    through("compiled")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        function(w, b, X, y)


def test_the_compiled_pass_hands_a_bad_row_back_rather_than_raise():
    w, b, X, y = problem(4, n=50, k=3)
    X[31, 1] = np.nan
    assert fused.gradient(w, b, X, y) is None
    assert fused.losses(w, b, X, y) is None
    X[31, 1] = 0.0
    assert fused.gradient(w, b, X, y) is not None


@pytest.mark.parametrize("rows", [1, 16, 100, 4096])
def test_the_thread_count_does_not_change_a_single_bit(through, monkeypatch, rows):
    # The blocks' shares are added in block order, each summed by one thread in row order:
    # one thread or two, the same numbers in the same order.
    w, b, X, y = problem(5, n=3000, k=9, labels="soft")
    monkeypatch.setattr(blocks, "BLOCK_BYTES", rows * 8 * 9)
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
    through("compiled")
    results = []
    for threads in (1, 2, 1, 2):
        monkeypatch.setattr(blocks, "WORKERS", threads)
        grad_w, grad_b = gradient(w, b, X, y)
        results.append((grad_w.tobytes(), grad_b, cost(w, b, X, y)))
    assert len(set(results)) == 1


@pytest.fixture
def loops_taken(monkeypatch):
    """What the compiled loops were asked to take: ``(loop, first, step, thread)`` each."""
    taken = []

    def watched(name):
        loop = getattr(fused, name)

        def run(*arguments):
            first, step = arguments[5:7]
            taken.append((name, first, step, threading.get_ident()))
            return loop(*arguments)

        return run

    for name in ("_gradient_blocks", "_losses_blocks"):
        monkeypatch.setattr(fused, name, watched(name))
    return taken


@pytest.mark.parametrize("workers", [2, 3])
def test_the_compiled_pass_shares_the_blocks_among_the_threads_asked(
    monkeypatch, loops_taken, workers
):
    # Thread t of T takes the blocks t, t + T, t + 2T, ...: every block, once; the calling thread
    # takes t = 0, the pool's threads the others.
    w, b, X, y = problem(6, n=1000, k=3)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 100 * 8 * 3)  # ten blocks
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(blocks, "WORKERS", workers)
    fused.gradient(w, b, X, y)
    fused.losses(w, b, X, y)
    for loop in ("_gradient_blocks", "_losses_blocks"):
        calls = [c for c in loops_taken if c[0] == loop]
        assert sorted((first, step) for _, first, step, _ in calls) == [
            (first, workers) for first in range(workers)
        ]
        assert [first for _, first, _, thread in calls if thread == threading.get_ident()] == [0]


def test_never_more_threads_than_blocks(monkeypatch, loops_taken):
    w, b, X, y = problem(6, n=250, k=3)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 100 * 8 * 3)  # three blocks
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(blocks, "WORKERS", 99)
    fused.gradient(w, b, X, y)
    assert sorted(first for _, first, _, _ in loops_taken) == [0, 1, 2]


def test_a_small_x_stays_in_the_calling_thread(monkeypatch, loops_taken):
    # Below blocks.PARALLEL_BYTES, or with one worker, no other thread is woken at all.
    w, b, X, y = problem(6, n=100, k=3)
    for parallel_bytes, workers in ((X.nbytes + 1, 2), (0, 1)):
        monkeypatch.setattr(blocks, "PARALLEL_BYTES", parallel_bytes)
        monkeypatch.setattr(blocks, "WORKERS", workers)
        assert fused.gradient(w, b, X, y) is not None
        assert fused.losses(w, b, X, y) is not None
    assert {(first, step, thread) for _, first, step, thread in loops_taken} == {
        (0, 1, threading.get_ident())
    }


def test_calls_from_several_threads_at_once_each_get_their_own_result(through, monkeypatch):
    # The callers share one pool of threads, and each gets what it would get alone.
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
    through("compiled")
    problems = [problem(seed, n=2000, k=5) for seed in range(4)]
    alone = [np.append(*gradient(*p)) for p in problems]
    found = {}

    def call(index):
        found[index] = np.append(*gradient(*problems[index]))

    callers = [threading.Thread(target=call, args=(index,)) for index in range(4) for _ in "ab"]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    for index, expected in enumerate(alone):
        np.testing.assert_array_equal(found[index], expected)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_made_by_fork_after_the_compiled_pass_can_take_it_too(monkeypatch):
    # A child made by fork has none of its parent's threads: it starts a pool of its own.
    # (GNU OpenMP, the threading layer Numba's own threads prefer, killed such a child.)
    # multiprocessing forks by default on Linux.
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork() here")
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)  # every thread, in parent and child
    w, b, X, y = problem(9, n=2000, k=5)
    expected_w, expected_b = fused.gradient(w, b, X, y)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child_w, child_b = pool.apply_async(fused.gradient, (w, b, X, y)).get(timeout=120)
    np.testing.assert_array_equal(child_w, expected_w)
    assert child_b == expected_b


def test_an_x_not_in_c_order_takes_the_numpy_pass(through, monkeypatch):
    w, b, X, y = problem(7, n=40, k=3)
    through("compiled")
    calls = []
    monkeypatch.setattr(fused, "gradient", lambda *a: calls.append(a))
    gradient(w, b, np.asfortranarray(X), y)
    gradient(w, b, X[:, ::-1], y)
    assert calls == []
    gradient(w, b, X, y)
    assert len(calls) == 1


def test_the_reference_comparison_catches_a_wrong_compiled_residual(
    through, monkeypatch, reference
):
    # The comparisons of the compiled pass with the 60-digit reference can fail: the loop
    # recompiled with the textbook residual σ(z) − y, which loses every digit past z = 37, is
    # caught by the test of the residual against the reference (test_neuron, test_properties).
    @numba.njit
    def textbook(z, y):
        return 1.0 / (1.0 + math.exp(-z)) - y

    through("compiled")
    exact = reference.residual(40.0, 1.0)
    _, right = gradient([1.0], 0.0, [[40.0]], [1.0])
    assert reference.error_in_eps(right, exact) <= 2
    wrong_block = _recompiled_with(fused._gradient_block, _residual=textbook)
    wrong_loop = _recompiled_with(fused._gradient_blocks, _gradient_block=wrong_block)
    monkeypatch.setattr(fused, "_gradient_blocks", wrong_loop)
    _, wrong = gradient([1.0], 0.0, [[40.0]], [1.0])
    assert wrong == 0.0  # σ(40) rounds to 1
    assert reference.error_in_eps(wrong, exact) > 2


def _recompiled_with(compiled, **replaced):
    """A compiled function compiled afresh (not cached) with some of its globals replaced."""
    function = compiled.py_func
    namespace = {**function.__globals__, **replaced}
    copy = types.FunctionType(function.__code__, namespace, function.__name__)
    return numba.njit(copy, **{k: v for k, v in compiled.targetoptions.items() if k == "inline"})
